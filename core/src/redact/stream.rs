//! The snapshot's redaction applied while it is serialised, with no `serde_json::Value` of the
//! whole document: a [`serde::Serializer`] wrapper that knows the key and parent key of every
//! value it passes on and redacts each string by [`field`]`(parent, key)` — the same
//! classification, the same known-secret scrub and the same JSON redaction of a health body
//! (`body.value`) as [`redact_snapshot_value`](super::redact_snapshot_value) applies to a
//! `Value` — and [`SafeFormatter`], which spells control, bidi and invisible characters as
//! `\uXXXX` as the text is written, as [`crate::escape::json_output`] does to a finished text.
//!
//! Everything here writes into a caller's [`std::io::Write`] and does no I/O of its own.

use std::cell::Cell;
use std::io;

use serde::Serialize;
use serde::ser::{self, Error as _};
use serde_json::ser::PrettyFormatter;

use super::json::redact_json;
use super::scrub::scrub;
use super::snapshot::{Field, field, scrub_all};
use super::{sql::redact_sql, text::redact_text, url::redact_url};

mod format;

pub use format::SafeFormatter;

/// Writes `value` as pretty-printed JSON, redacted field by field (removing `known` secrets
/// from every redacted field) and with unsafe characters spelled as `\uXXXX`: byte for byte
/// the text of `serde_json::to_string_pretty` of the redacted `Value`, passed through
/// [`crate::escape::json_output`].
pub fn to_writer_pretty<W: io::Write, T: Serialize + ?Sized>(
    writer: W,
    value: &T,
    known: &[String],
) -> serde_json::Result<()> {
    to_writer_pretty_clean(writer, value, known).map(|_| ())
}

/// [`to_writer_pretty`], telling whether redaction left every string as it was (`true`): then
/// the text written is also that of `value` redacted beforehand with the same `known`
/// secrets and written again with none, i.e. final. `false` when any field changed (by its
/// classification, by the known secrets, or by both): the text holds no secret, but the
/// caller who needs the canonical text redacts `value` first and writes it again.
pub fn to_writer_pretty_clean<W: io::Write, T: Serialize + ?Sized>(
    writer: W,
    value: &T,
    known: &[String],
) -> serde_json::Result<bool> {
    let shared = Shared::new(known);
    let mut ser =
        serde_json::Serializer::with_formatter(writer, SafeFormatter::new(PrettyFormatter::new()));
    Redacting::root(value, &shared).serialize(&mut ser)?;
    Ok(!shared.changed.get())
}

/// Compact redacted JSON of `value` (no output escaping: for reading it back in memory).
pub fn to_vec(value: &(impl Serialize + ?Sized), known: &[String]) -> serde_json::Result<Vec<u8>> {
    let shared = Shared::new(known);
    let mut out = Vec::new();
    Redacting::root(value, &shared).serialize(&mut serde_json::Serializer::new(&mut out))?;
    Ok(out)
}

/// Whether redacting `value` (with `known` secrets) would change any of its strings. Nothing
/// is kept: this is the cheap pass that lets an already clean snapshot stay as it is.
pub fn changes(value: &(impl Serialize + ?Sized), known: &[String]) -> serde_json::Result<bool> {
    let shared = Shared::new(known);
    Redacting::root(value, &shared).serialize(&mut serde_json::Serializer::new(io::sink()))?;
    Ok(shared.changed.get())
}

/// What every level of the walk shares: the known secrets and whether anything changed.
struct Shared<'k> {
    known: &'k [String],
    changed: Cell<bool>,
}

impl<'k> Shared<'k> {
    fn new(known: &'k [String]) -> Self {
        Shared {
            known,
            changed: Cell::new(false),
        }
    }
}

/// Where a value sits: the key it is found at and the key of the object holding that key
/// (arrays are transparent), as in [`field`].
#[derive(Clone, Copy)]
struct Ctx<'a> {
    key: &'a str,
    parent: &'a str,
    shared: &'a Shared<'a>,
}

impl<'a> Ctx<'a> {
    /// The context of the member `key` of the object found at this context.
    fn child<'b>(self, key: &'b str) -> Ctx<'b>
    where
        'a: 'b,
    {
        Ctx {
            key,
            parent: self.key,
            shared: self.shared,
        }
    }

    /// A health body: the `value` member of an object found at `body`, redacted as JSON.
    fn is_body(&self, key: &str) -> bool {
        self.key == "body" && key == "value"
    }

    /// The string to write for `s` found here, when redaction changes it.
    fn redact(&self, s: &str) -> Option<String> {
        let redacted = match field(self.parent, self.key) {
            Field::Keep => return None,
            Field::Text => redact_text(s),
            Field::Sql => redact_sql(s),
            Field::Url => redact_url(s),
        };
        // The classification alone changing the field counts, even when the known secrets'
        // scrub happened to give the original back: "unchanged" means unchanged by either.
        if redacted != s {
            self.shared.changed.set(true);
        }
        let redacted = scrub(&redacted, self.shared.known);
        (redacted != s).then(|| {
            self.shared.changed.set(true);
            redacted
        })
    }

    /// A health body's value, redacted by key and shape.
    fn body<T: Serialize + ?Sized, E: ser::Error>(
        &self,
        value: &T,
    ) -> Result<serde_json::Value, E> {
        let mut v = serde_json::to_value(value).map_err(E::custom)?;
        let before = v.clone();
        redact_json(&mut v);
        if v != before {
            self.shared.changed.set(true);
        }
        scrub_all(&mut v, self.shared.known);
        if v != before {
            self.shared.changed.set(true);
        }
        Ok(v)
    }
}

/// A value to serialise with redaction at its context.
struct Redacting<'a, T: ?Sized> {
    value: &'a T,
    ctx: Ctx<'a>,
}

impl<'a, T: ?Sized> Redacting<'a, T> {
    fn root(value: &'a T, shared: &'a Shared<'a>) -> Self {
        Redacting {
            value,
            ctx: Ctx {
                key: "",
                parent: "",
                shared,
            },
        }
    }
}

impl<T: Serialize + ?Sized> Serialize for Redacting<'_, T> {
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(RedactingSerializer {
            inner: serializer,
            ctx: self.ctx,
        })
    }
}

/// The serializer wrapper: strings redacted by their context, containers passing the right
/// context to their members.
struct RedactingSerializer<'a, S> {
    inner: S,
    ctx: Ctx<'a>,
}

impl<'a, S: ser::Serializer> RedactingSerializer<'a, S> {
    fn string(self, v: &str) -> Result<S::Ok, S::Error> {
        match self.ctx.redact(v) {
            Some(r) => self.inner.serialize_str(&r),
            None => self.inner.serialize_str(v),
        }
    }
}

macro_rules! forward {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(fn $method(self, v: $ty) -> Result<S::Ok, S::Error> {
            self.inner.$method(v)
        })*
    };
}

impl<'a, S: ser::Serializer> ser::Serializer for RedactingSerializer<'a, S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Compound<'a, S::SerializeSeq>;
    type SerializeTuple = Compound<'a, S::SerializeTuple>;
    type SerializeTupleStruct = Compound<'a, S::SerializeTupleStruct>;
    type SerializeTupleVariant = Compound<'a, S::SerializeTupleVariant>;
    type SerializeMap = MapCompound<'a, S::SerializeMap>;
    type SerializeStruct = Compound<'a, S::SerializeStruct>;
    type SerializeStructVariant = Compound<'a, S::SerializeStructVariant>;

    forward!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_f64(f64),
        serialize_bytes(&[u8]),
    );

    /// As a `Value` holds it: widened to `f64`.
    fn serialize_f32(self, v: f32) -> Result<S::Ok, S::Error> {
        self.inner.serialize_f64(f64::from(v))
    }

    fn serialize_char(self, v: char) -> Result<S::Ok, S::Error> {
        self.string(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<S::Ok, S::Error> {
        self.string(v)
    }

    fn serialize_none(self) -> Result<S::Ok, S::Error> {
        self.inner.serialize_none()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        self.inner.serialize_some(&Redacting {
            value,
            ctx: self.ctx,
        })
    }

    fn serialize_unit(self) -> Result<S::Ok, S::Error> {
        self.inner.serialize_unit()
    }

    fn serialize_unit_struct(self, name: &'static str) -> Result<S::Ok, S::Error> {
        self.inner.serialize_unit_struct(name)
    }

    fn serialize_unit_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
    ) -> Result<S::Ok, S::Error> {
        match self.ctx.redact(variant) {
            Some(r) => self.inner.serialize_str(&r),
            None => self.inner.serialize_unit_variant(name, index, variant),
        }
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.inner.serialize_newtype_struct(
            name,
            &Redacting {
                value,
                ctx: self.ctx,
            },
        )
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        if self.ctx.is_body(variant) {
            let v = self.ctx.body(value)?;
            return self
                .inner
                .serialize_newtype_variant(name, index, variant, &v);
        }
        let ctx = self.ctx.child(variant);
        self.inner
            .serialize_newtype_variant(name, index, variant, &Redacting { value, ctx })
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        Ok(Compound::new(self.inner.serialize_seq(len)?, self.ctx))
    }

    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, S::Error> {
        Ok(Compound::new(self.inner.serialize_tuple(len)?, self.ctx))
    }

    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        Ok(Compound::new(
            self.inner.serialize_tuple_struct(name, len)?,
            self.ctx,
        ))
    }

    /// `{variant: [...]}`: the items sit at `variant`.
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        let inner = self
            .inner
            .serialize_tuple_variant(name, index, variant, len)?;
        Ok(Compound::new(inner, self.ctx.child(variant)))
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        Ok(MapCompound {
            inner: self.inner.serialize_map(len)?,
            ctx: self.ctx,
            key: None,
        })
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        Ok(Compound::new(
            self.inner.serialize_struct(name, len)?,
            self.ctx,
        ))
    }

    /// `{variant: {fields}}`: the fields' object sits at `variant`.
    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        let inner = self
            .inner
            .serialize_struct_variant(name, index, variant, len)?;
        Ok(Compound::new(inner, self.ctx.child(variant)))
    }
}

/// A sequence, tuple or struct being written, with the context of the value it is.
struct Compound<'a, C> {
    inner: C,
    ctx: Ctx<'a>,
}

impl<'a, C> Compound<'a, C> {
    fn new(inner: C, ctx: Ctx<'a>) -> Self {
        Compound { inner, ctx }
    }
}

/// The sequence-like compounds pass each element on wrapped, with the compound's context.
macro_rules! forward_elements {
    ($($compound:ident::$method:ident),* $(,)?) => {$(
        impl<C: ser::$compound> ser::$compound for Compound<'_, C> {
            type Ok = C::Ok;
            type Error = C::Error;

            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
                self.inner.$method(&Redacting {
                    value,
                    ctx: self.ctx,
                })
            }

            fn end(self) -> Result<C::Ok, C::Error> {
                self.inner.end()
            }
        }
    )*};
}

forward_elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
);

impl<C: ser::SerializeStruct> ser::SerializeStruct for Compound<'_, C> {
    type Ok = C::Ok;
    type Error = C::Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), C::Error> {
        if self.ctx.is_body(key) {
            let v = self.ctx.body(value)?;
            return self.inner.serialize_field(key, &v);
        }
        let ctx = self.ctx.child(key);
        self.inner.serialize_field(key, &Redacting { value, ctx })
    }

    fn skip_field(&mut self, key: &'static str) -> Result<(), C::Error> {
        self.inner.skip_field(key)
    }

    fn end(self) -> Result<C::Ok, C::Error> {
        self.inner.end()
    }
}

impl<C: ser::SerializeStructVariant> ser::SerializeStructVariant for Compound<'_, C> {
    type Ok = C::Ok;
    type Error = C::Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), C::Error> {
        if self.ctx.is_body(key) {
            let v = self.ctx.body(value)?;
            return self.inner.serialize_field(key, &v);
        }
        let ctx = self.ctx.child(key);
        self.inner.serialize_field(key, &Redacting { value, ctx })
    }

    fn skip_field(&mut self, key: &'static str) -> Result<(), C::Error> {
        self.inner.skip_field(key)
    }

    fn end(self) -> Result<C::Ok, C::Error> {
        self.inner.end()
    }
}

/// A map being written: the key of the entry in progress, as a `Value` spells it.
struct MapCompound<'a, C> {
    inner: C,
    ctx: Ctx<'a>,
    key: Option<String>,
}

impl<C: ser::SerializeMap> ser::SerializeMap for MapCompound<'_, C> {
    type Ok = C::Ok;
    type Error = C::Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), C::Error> {
        self.key = Some(key_text(key)?);
        self.inner.serialize_key(key)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        let key = self
            .key
            .take()
            .ok_or_else(|| C::Error::custom("map value without a key"))?;
        if self.ctx.is_body(&key) {
            let v = self.ctx.body(value)?;
            return self.inner.serialize_value(&v);
        }
        let ctx = self.ctx.child(&key);
        self.inner.serialize_value(&Redacting { value, ctx })
    }

    fn end(self) -> Result<C::Ok, C::Error> {
        self.inner.end()
    }
}

/// A map key as the key of a `Value` object: strings as they are, numbers and booleans in
/// their decimal / `true` spelling.
fn key_text<T: Serialize + ?Sized, E: ser::Error>(key: &T) -> Result<String, E> {
    match serde_json::to_value(key).map_err(E::custom)? {
        serde_json::Value::String(s) => Ok(s),
        other => Ok(other.to_string()),
    }
}

#[cfg(test)]
mod tests;
