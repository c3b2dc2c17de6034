// The console page's behaviour: sign-in, dialogs, copy, and the JSON calls to the console's
// own API. Every navigation serves the same shell; this script signs in with the one-time
// token in the URL's fragment (removed from the address bar at once), keeps the session's
// secret in sessionStorage only (this tab's, this port's) and sends it in a header on every
// call: no cookie is involved. No key's secret is stored beyond the read-only field of the
// open dialog.
'use strict';
(function () {
  const STORE = 'labelbox_console_session';
  const HEADER = 'X-Console-Session';
  let session = sessionStorage.getItem(STORE) || '';
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

  async function request(method, url, body, keepalive) {
    const options = {
      method,
      credentials: 'omit',
      cache: 'no-store',
      keepalive: !!keepalive,
      headers: {},
    };
    if (session) options.headers[HEADER] = session;
    if (body !== undefined) {
      options.headers['Content-Type'] = 'application/json';
      options.body = JSON.stringify(body);
    }
    return fetch(url, options);
  }

  async function call(method, url, body, keepalive) {
    let response;
    try {
      response = await request(method, url, body, keepalive);
    } catch (e) {
      return { ok: false, status: 0, data: { message: 'The console did not answer: is `labelbox console` still running?' } };
    }
    let data = {};
    try { data = await response.json(); } catch (e) { data = {}; }
    if (response.status === 401 && !data.message) data.message = 'Your session has ended.';
    return { ok: response.ok, status: response.status, data };
  }
  const post = (url, body, keepalive) => call('POST', url, body || {}, keepalive);

  function signedOut(message) {
    session = '';
    sessionStorage.removeItem(STORE);
    $('#app').replaceChildren();
    if (message) $('#signed-out-reason').textContent = message;
    $('#signed-out').hidden = false;
    document.title = 'Signed out · Labelbox console';
  }

  // Runs `work` with the form's buttons disabled: a second click while a request is in
  // flight does nothing.
  async function busy(form, work) {
    const buttons = $$('button', form);
    if (buttons.some((b) => b.disabled)) return;
    buttons.forEach((b) => { b.disabled = true; });
    try { await work(); } finally { buttons.forEach((b) => { b.disabled = false; }); }
  }

  async function start() {
    const token = location.hash.startsWith('#token=') ? location.hash.slice(7) : '';
    // The token leaves the address bar (and the history) before anything else happens.
    if (location.pathname !== '/' || location.hash) history.replaceState(null, '', '/');
    if (token) {
      session = '';
      const r = await post('/api/session', { token });
      if (!r.ok) { signedOut(r.data.message); return; }
      session = r.data.session;
      sessionStorage.setItem(STORE, session);
    }
    if (!session) { signedOut(); return; }
    let response;
    try {
      response = await request('GET', '/api/page');
    } catch (e) {
      signedOut('The console did not answer: is `labelbox console` still running?');
      return;
    }
    if (response.status === 401) {
      let data = {};
      try { data = await response.json(); } catch (e) { data = {}; }
      signedOut(data.message);
      return;
    }
    $('#app').innerHTML = await response.text();
    bind();
  }

  function clearErrors(root) {
    $$('[data-error]', root).forEach((el) => { el.textContent = ''; });
    $$('[aria-invalid]', root).forEach((el) => el.removeAttribute('aria-invalid'));
  }

  function showErrors(root, data) {
    const fields = data.fields || {};
    for (const [name, message] of Object.entries(fields)) {
      const el = $(`[data-error="${name}"]`, root);
      if (el) {
        el.textContent = message;
        const input = document.querySelector(`[aria-describedby="${el.id}"]`);
        if (input) input.setAttribute('aria-invalid', 'true');
      }
    }
    const general = $('[data-error="form"]', root);
    if (general) general.textContent = data.message || 'The request failed.';
    const firstInvalid = $('[aria-invalid="true"]', root);
    if (firstInvalid) firstInvalid.focus();
  }

  function formObject(form) {
    const out = {};
    new FormData(form).forEach((value, key) => { out[key] = String(value); });
    return out;
  }

  function bind() {
  // Validity: the contract's messages while typing (checked by the console, with labelbox-core).
  let validityTimer = null;
  $$('form').forEach((form) => {
    const amount = $('[data-validity-amount]', form);
    const unit = $('[data-validity-unit]', form);
    if (!amount || !unit) return;
    const check = () => {
      clearTimeout(validityTimer);
      validityTimer = setTimeout(async () => {
        const q = new URLSearchParams({ amount: amount.value, unit: unit.value });
        const r = await call('GET', `/api/validity?${q}`);
        const el = $('[data-error="validity"]', form);
        if (r.ok && r.data.ok === false) {
          el.textContent = r.data.message;
          amount.setAttribute('aria-invalid', 'true');
        } else if (r.ok) {
          el.textContent = '';
          amount.removeAttribute('aria-invalid');
        }
      }, 150);
    };
    amount.addEventListener('input', check);
    unit.addEventListener('change', check);
  });

  $$('[data-close]').forEach((button) => {
    button.addEventListener('click', () => button.closest('dialog').close('cancel'));
  });

  // Show expired.
  const toggle = $('#show-expired');
  if (toggle) {
    toggle.addEventListener('change', () => {
      $$('tr[data-expired="true"]').forEach((row) => { row.hidden = !toggle.checked; });
    });
  }

  // Log out.
  const logout = $('#logout');
  if (logout) {
    logout.addEventListener('click', async () => {
      await post('/logout');
      signedOut();
    });
  }

  // A new tab needs its own session: a fresh one-time link, opened in a new tab.
  const newTab = $('#new-tab');
  if (newTab) {
    newTab.addEventListener('click', async () => {
      const r = await post('/api/login-link');
      if (r.ok) window.open(r.data.path, '_blank', 'noopener');
      else $('#page-error').textContent = r.data.message || 'No new link.';
    });
  }

  // Row menus.
  function closeMenus(except) {
    $$('.menu').forEach((menu) => {
      if (menu === except) return;
      menu.hidden = true;
      const button = menu.previousElementSibling;
      if (button) button.setAttribute('aria-expanded', 'false');
    });
  }
  $$('.menu-button').forEach((button) => {
    const menu = button.nextElementSibling;
    button.addEventListener('click', (event) => {
      event.stopPropagation();
      const open = menu.hidden;
      closeMenus(menu);
      menu.hidden = !open;
      button.setAttribute('aria-expanded', String(open));
      if (open) $('button', menu).focus();
    });
    menu.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') { closeMenus(); button.focus(); }
    });
  });
  document.addEventListener('click', () => closeMenus());

  // The key a row menu acts on.
  let target = null;
  $$('[data-action]').forEach((item) => {
    item.addEventListener('click', () => {
      const row = item.closest('tr');
      target = { id: row.dataset.keyId, name: row.dataset.keyName, days: row.dataset.lifetimeDays };
      closeMenus();
      const dialog = $(item.dataset.action === 'rotate' ? '#rotate-dialog' : '#delete-dialog');
      $$('[data-key-name]', dialog).forEach((el) => { el.textContent = target.name; });
      $$('[data-own-warning]', dialog).forEach((el) => { el.hidden = row.dataset.own !== 'true'; });
      const form = $('form', dialog);
      clearErrors(form);
      if (item.dataset.action === 'rotate') {
        const days = Number(target.days) || 30;
        if (days % 7 === 0 && days / 7 <= 25) {
          $('[data-validity-amount]', form).value = days / 7;
          $('[data-validity-unit]', form).value = 'weeks';
        } else {
          $('[data-validity-amount]', form).value = Math.min(days, 175);
          $('[data-validity-unit]', form).value = 'days';
        }
      }
      dialog.showModal();
    });
  });

  // API key created: the secret, Copy and Done.
  const created = $('#created-dialog');
  let handOver = null; // { id, replaces } while the secret is on the page

  function removeSecret() {
    const field = $('#created-secret');
    if (field) { field.value = ''; field.removeAttribute('value'); }
    $('#copy-status').textContent = '';
  }

  function showCreated(data) {
    handOver = { id: data.id, replaces: data.replaces };
    // A new dialog: an earlier Done's return value must not count for this one.
    created.returnValue = '';
    clearErrors(created);
    $('#created-secret').value = data.secret;
    $('#rotation-note').hidden = !data.replaces;
    $('#created-title').textContent = data.replaces ? 'Replacement API key created' : 'API key created';
    created.showModal();
    $('#copy').focus();
    // The secret is on screen: the key is the user's now (until this, closing the request,
    // logging out or the console stopping revokes it).
    post('/api/hand-over/shown', { id: data.id });
  }

  if (created) {
    $('#copy').addEventListener('click', async () => {
      const field = $('#created-secret');
      try {
        await navigator.clipboard.writeText(field.value);
        $('#copy-status').textContent = 'Copied to the clipboard.';
      } catch (e) {
        field.select();
        $('#copy-status').textContent = 'Copying was refused by the browser: the key is selected, press Ctrl+C.';
      }
    });

    $('#done').addEventListener('click', () => busy(created, async () => {
      if (!handOver) { created.close('done'); return; }
      // Taken before the request: a second click, or Escape meanwhile, finds nothing to
      // settle, so this request's answer is the one shown.
      const id = handOver.id;
      handOver = null;
      const r = await post('/api/hand-over/done', { id });
      removeSecret();
      created.close('done');
      if (r.ok) {
        window.location.reload();
      } else {
        $('#page-error').textContent = r.data.message || 'Done failed.';
      }
    }));

    // Closed without Done (Escape): a replacement is revoked, the old key kept.
    created.addEventListener('close', async () => {
      if (created.returnValue === 'done' || !handOver) return;
      const id = handOver.id;
      handOver = null;
      removeSecret();
      const r = await post('/api/hand-over/abandon', { id });
      if (r.ok) window.location.reload();
      else $('#page-error').textContent = r.data.message || 'Abandoning the key failed.';
    });

    // Leaving the page with the dialog open abandons it too.
    window.addEventListener('pagehide', () => {
      if (handOver) post('/api/hand-over/abandon', { id: handOver.id }, true);
    });
  }

  const createOpen = $('#create-open');
  if (createOpen) {
    const dialog = $('#create-dialog');
    const form = $('#create-form');
    let dialogToken = '';
    createOpen.addEventListener('click', async () => {
      clearErrors(form);
      // Each opened dialog gets its own token: the server creates once per token.
      const r = await post('/api/create-dialog');
      dialogToken = r.ok ? r.data.token : '';
      dialog.showModal();
      $('#create-name').focus();
      if (!r.ok) showErrors(form, r.data);
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      busy(form, async () => {
        clearErrors(form);
        const r = await post('/api/keys', { ...formObject(form), dialog: dialogToken });
        if (!r.ok) { showErrors(form, r.data); return; }
        dialogToken = '';
        form.reset();
        dialog.close('created');
        showCreated(r.data);
      });
    });
  }

  const rotateForm = $('#rotate-form');
  if (rotateForm) {
    rotateForm.addEventListener('submit', (event) => {
      event.preventDefault();
      busy(rotateForm, async () => {
        clearErrors(rotateForm);
        const r = await post(`/api/keys/${encodeURIComponent(target.id)}/rotate`, formObject(rotateForm));
        if (!r.ok) { showErrors(rotateForm, r.data); return; }
        $('#rotate-dialog').close('created');
        showCreated(r.data);
      });
    });
  }

  const deleteForm = $('#delete-form');
  if (deleteForm) {
    deleteForm.addEventListener('submit', (event) => {
      event.preventDefault();
      busy(deleteForm, async () => {
        clearErrors(deleteForm);
        const r = await post(`/api/keys/${encodeURIComponent(target.id)}/delete`);
        if (!r.ok) { showErrors(deleteForm, r.data); return; }
        $('#delete-dialog').close('deleted');
        window.location.reload();
      });
    });
  }
  }

  start();
})();
