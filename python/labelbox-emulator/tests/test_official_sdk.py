import labelbox
from labelbox.schema.timeunit import TimeUnit


def test_create_list_and_revoke_a_key(labelbox_emulator):
    # The official SDK, pointed at a fresh emulator for this test.
    admin = labelbox.Client(
        api_key=labelbox_emulator.admin_key, endpoint=labelbox_emulator.endpoint
    )
    created = admin.create_api_key(
        "ci-deploy", "labeler@example.com", "Labeler", validity=1, time_unit=TimeUnit.HOUR
    )
    labeler = labelbox.Client(api_key=created["jwt"], endpoint=labelbox_emulator.endpoint)
    assert labeler.get_user().email == "labeler@example.com"

    listed = {key.uid: key for key in admin.get_api_keys()}
    assert listed[created["id"]].name == "ci-deploy"

    listed[created["id"]].revoke()
    assert created["id"] not in [key.uid for key in admin.get_api_keys()]
