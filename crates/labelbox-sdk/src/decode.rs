//! Decoding a response's `data` into an operation's generated type, with an error that names
//! the field's path and what kind of value was wrong, never the value itself.
//!
//! A broken or hostile response may carry a secret anywhere (a created key's JWT, the
//! caller's own API key echoed into a date). `serde_json`'s messages quote the offending
//! value, so `data` is not decoded by `serde_json` but by [`ValueDeserializer`], whose
//! error type receives serde's structured report ([`Unexpected`], the expected type) and
//! keeps only the *kind* of the value. The one free-form message, a type's own `custom`
//! error (the `DateTime` scalar's, which names no input), is scrubbed with
//! [`redact_secrets`] like every other server-sourced text.
//!
//! The common answer (status 200, `data` and nothing else) takes a faster path,
//! [`decode_success`], which decodes the body's bytes straight into the target type. These
//! are the SDK's only two decode paths; the listing's target type
//! ([`crate::listing_data`]) builds `ApiKey`s on either.

use std::fmt;

use serde::de::{self, DeserializeOwned, Expected, Unexpected, Visitor};
use serde_json::{Map, Number, Value};

use crate::ResponseError;
use crate::{redact_secrets, Error};

/// Decodes `data` into `T`; a failure is [`ResponseError::Decode`](crate::ResponseError::Decode) with the field's path
/// (`user.apiKeys[0].createdAt`) and a message that holds no response content.
pub(crate) fn decode<T: DeserializeOwned>(
    operation: &str,
    data: Value,
    api_key: &str,
) -> Result<T, Error> {
    serde_path_to_error::deserialize(ValueDeserializer(data)).map_err(|e| {
        let mut path = e.path().to_string();
        let problem = e.into_inner();
        // A missing field is reported at its parent; name the field itself.
        if let Problem::MissingField(field) = problem.0 {
            path = if path == "." {
                field.to_owned()
            } else {
                format!("{path}.{field}")
            };
        }
        let scrub = |text: String| redact_secrets(&text, api_key).unwrap_or(text);
        Error::Response(ResponseError::Decode {
            operation: operation.to_owned(),
            path: scrub(path),
            message: scrub(problem.to_string()),
        })
    })
}

/// Why a value did not decode, as serde reports it, without the value.
#[derive(Debug)]
pub(crate) struct DecodeError(Problem);

#[derive(Debug)]
enum Problem {
    InvalidType {
        found: &'static str,
        expected: String,
    },
    InvalidValue {
        found: &'static str,
        expected: String,
    },
    InvalidLength {
        length: usize,
        expected: String,
    },
    UnknownVariant {
        expected: &'static [&'static str],
    },
    UnknownField {
        expected: &'static [&'static str],
    },
    MissingField(&'static str),
    DuplicateField(&'static str),
    /// A type's own message (our scalars' never quote their input).
    Custom(String),
}

/// The kind of an unexpected value, without its content.
fn kind(unexpected: &Unexpected<'_>) -> &'static str {
    match unexpected {
        Unexpected::Bool(_) => "a boolean",
        Unexpected::Unsigned(_) | Unexpected::Signed(_) => "an integer",
        Unexpected::Float(_) => "a floating-point number",
        Unexpected::Char(_) => "a character",
        Unexpected::Str(_) => "a string",
        Unexpected::Bytes(_) => "bytes",
        Unexpected::Unit => "null",
        Unexpected::Option => "an optional value",
        Unexpected::NewtypeStruct => "a newtype struct",
        Unexpected::Seq => "a list",
        Unexpected::Map => "an object",
        Unexpected::Enum => "an enum",
        Unexpected::UnitVariant
        | Unexpected::NewtypeVariant
        | Unexpected::TupleVariant
        | Unexpected::StructVariant => "an enum variant",
        Unexpected::Other(_) => "another kind of value",
    }
}

fn one_of(names: &[&str]) -> String {
    match names {
        [] => "none".to_owned(),
        names => {
            let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            format!("one of {}", quoted.join(", "))
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Problem::InvalidType { found, expected } => {
                write!(f, "invalid type: {found}, expected {expected}")
            }
            Problem::InvalidValue { found, expected } => {
                write!(f, "invalid value: {found}, expected {expected}")
            }
            Problem::InvalidLength { length, expected } => {
                write!(f, "invalid length {length}, expected {expected}")
            }
            Problem::UnknownVariant { expected } => {
                write!(f, "unknown variant, expected {}", one_of(expected))
            }
            Problem::UnknownField { expected } => {
                write!(f, "unknown field, expected {}", one_of(expected))
            }
            Problem::MissingField(field) => write!(f, "missing field `{field}`"),
            Problem::DuplicateField(field) => write!(f, "duplicate field `{field}`"),
            Problem::Custom(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for DecodeError {}

impl de::Error for DecodeError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        DecodeError(Problem::Custom(message.to_string()))
    }

    fn invalid_type(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        DecodeError(Problem::InvalidType {
            found: kind(&unexpected),
            expected: expected.to_string(),
        })
    }

    fn invalid_value(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        DecodeError(Problem::InvalidValue {
            found: kind(&unexpected),
            expected: expected.to_string(),
        })
    }

    fn invalid_length(length: usize, expected: &dyn Expected) -> Self {
        DecodeError(Problem::InvalidLength {
            length,
            expected: expected.to_string(),
        })
    }

    fn unknown_variant(_variant: &str, expected: &'static [&'static str]) -> Self {
        DecodeError(Problem::UnknownVariant { expected })
    }

    fn unknown_field(_field: &str, expected: &'static [&'static str]) -> Self {
        DecodeError(Problem::UnknownField { expected })
    }

    fn missing_field(field: &'static str) -> Self {
        DecodeError(Problem::MissingField(field))
    }

    fn duplicate_field(field: &'static str) -> Self {
        DecodeError(Problem::DuplicateField(field))
    }
}

/// A `serde_json::Value` as a deserializer with [`DecodeError`]; it visits exactly as
/// `serde_json::Value`'s own deserializer does, so both decode the same data alike.
struct ValueDeserializer(Value);

impl<'de> de::IntoDeserializer<'de, DecodeError> for ValueDeserializer {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

fn visit_number<'de, V: Visitor<'de>>(n: Number, visitor: V) -> Result<V::Value, DecodeError> {
    if let Some(u) = n.as_u64() {
        visitor.visit_u64(u)
    } else if let Some(i) = n.as_i64() {
        visitor.visit_i64(i)
    } else if let Some(f) = n.as_f64() {
        visitor.visit_f64(f)
    } else {
        Err(de::Error::invalid_type(
            Unexpected::Other("number"),
            &visitor,
        ))
    }
}

fn visit_array<'de, V: Visitor<'de>>(
    items: Vec<Value>,
    visitor: V,
) -> Result<V::Value, DecodeError> {
    let mut seq = de::value::SeqDeserializer::new(items.into_iter().map(ValueDeserializer));
    let value = visitor.visit_seq(&mut seq)?;
    seq.end()?;
    Ok(value)
}

fn map_deserializer(
    object: Map<String, Value>,
) -> de::value::MapDeserializer<
    'static,
    impl Iterator<Item = (String, ValueDeserializer)>,
    DecodeError,
> {
    de::value::MapDeserializer::new(
        object
            .into_iter()
            .map(|(key, value)| (key, ValueDeserializer(value))),
    )
}

fn visit_object<'de, V: Visitor<'de>>(
    object: Map<String, Value>,
    visitor: V,
) -> Result<V::Value, DecodeError> {
    let mut map = map_deserializer(object);
    let value = visitor.visit_map(&mut map)?;
    map.end()?;
    Ok(value)
}

fn unexpected(value: &Value) -> Unexpected<'static> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(_) => Unexpected::Bool(false),
        Value::Number(_) => Unexpected::Signed(0),
        Value::String(_) => Unexpected::Str(""),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

impl<'de> de::Deserializer<'de> for ValueDeserializer {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => visit_number(n, visitor),
            Value::String(s) => visitor.visit_string(s),
            Value::Array(items) => visit_array(items, visitor),
            Value::Object(object) => visit_object(object, visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            value => visitor.visit_some(ValueDeserializer(value)),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        match self.0 {
            Value::String(variant) => {
                visitor.visit_enum(de::value::StringDeserializer::<DecodeError>::new(variant))
            }
            Value::Object(object) if object.len() == 1 => visitor.visit_enum(
                de::value::MapAccessDeserializer::new(map_deserializer(object)),
            ),
            other => Err(de::Error::invalid_type(
                unexpected(&other),
                &"a string or an object with one entry",
            )),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// The one-pass decoding of the common answer: status 200 and a JSON object whose `data`
/// decodes into `T` and whose `errors` and `message` are absent or null. Such a body is
/// one [`classify_http_answer`](crate::classify::classify_http_answer) accepts without looking further (no error to classify, nothing to
/// scrub), and decoding `data` from it gives what [`decode`] gives; decoding the bytes
/// straight into `T` skips the `Value` tree and the path tracking.
///
/// `None` for anything else (another status, `errors` or `message` present, no `data`, a
/// `data` that does not decode, a body that is not JSON or not UTF-8): the caller then runs
/// [`classify_http_answer`](crate::classify::classify_http_answer) and [`decode`], which classify the answer and name the failing field.
///
/// The only bodies this accepts that the `Value` path rejects (as not JSON) are ones whose
/// oddities lie in content the SDK ignores: a number beyond `f64` range or a lone UTF-16
/// surrogate escape in a field the operation does not select.
pub(crate) fn decode_success<T: DeserializeOwned>(status: u16, body: &[u8]) -> Option<T> {
    if status != 200 {
        return None;
    }
    // `from_str` after one UTF-8 check of the whole body: the `Value` path rejects invalid
    // UTF-8 anywhere, including in fields a typed decode would skip unchecked.
    let text = std::str::from_utf8(body).ok()?;
    let envelope: Envelope<T> = serde_json::from_str(text).ok()?;
    if envelope.other_content {
        return None;
    }
    envelope.data
}

/// The top level of a success body, for [`decode_success`]: `data`, and whether `errors`
/// or `message` hold anything but null (then the body goes through [`classify_http_answer`](crate::classify::classify_http_answer)).
struct Envelope<T> {
    data: Option<T>,
    other_content: bool,
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Envelope<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(field_identifier, rename_all = "lowercase")]
        enum Field {
            Data,
            Errors,
            Message,
            #[serde(other)]
            Other,
        }

        struct Visitor<T>(std::marker::PhantomData<T>);

        impl<'de, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for Visitor<T> {
            type Value = Envelope<T>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a GraphQL response object")
            }

            // Only a map: a derived struct would also accept an array, which `classify_http_answer`
            // treats as a body without `data`.
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Envelope<T>, A::Error> {
                let mut data: Option<Option<T>> = None;
                let mut other_content = false;
                while let Some(field) = map.next_key::<Field>()? {
                    match field {
                        // A repeated `data` is left to `classify_http_answer` (a `Value` map keeps
                        // the last one).
                        Field::Data if data.is_some() => {
                            return Err(serde::de::Error::duplicate_field("data"))
                        }
                        Field::Data => data = Some(map.next_value()?),
                        Field::Errors | Field::Message => {
                            let value: Option<serde::de::IgnoredAny> = map.next_value()?;
                            other_content |= value.is_some();
                        }
                        Field::Other => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(Envelope {
                    data: data.flatten(),
                    other_content,
                })
            }
        }

        deserializer.deserialize_map(Visitor(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests;
