//! Ids as types: an account's id is an `AccountId`, a license's a `LicenseId`, and one cannot be
//! passed where the other is wanted. Each area declares the ids of its resources with `id_type!`,
//! naming the resource kinds of the route table whose `{id}` is one; the path extractors
//! (`ApiId<T>`, `PageId<T>`) hand a handler the id the router checked, as that type, and only for
//! a route whose resource is of one of those kinds.
//!
//! An id is stored as a BIGINT and sent as a JSON integer, exactly as before.
//!
//! `id_type!` is a small macro rather than sqlx's `#[sqlx(transparent)]` derive: the panel reads
//! rows through sqlx's `Any` driver, and the derive's impls would also need serde, `Display`,
//! comparison with a bare integer (SQL-facing code and tests) and the resource kinds, which it
//! does not write.

/// An id the router can hand a handler: the resource kinds of the route table it stands for.
pub trait PathId: Copy + Send + 'static {
    /// The `Resource::kind`s whose `{id}` is this type.
    const KINDS: &'static [&'static str];
    fn from_checked(id: i64) -> Self;
}

/// `id_type! { /// docs  pub struct LicenseId for ["license"]; }` writes the newtype with serde
/// (a bare integer), sqlx (`Any`, a BIGINT), `Display`, `FromStr`, comparison with `i64`, and
/// `PathId` for those kinds. Schemas name it `#[schema(value_type = i64)]`.
#[macro_export]
macro_rules! id_type {
    ($($(#[$meta:meta])* $vis:vis struct $name:ident for [$($kind:literal),* $(,)?];)+) => {$(
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        $vis struct $name(pub i64);

        impl $name {
            /// The integer as stored.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl $crate::kernel::ids::PathId for $name {
            const KINDS: &'static [&'static str] = &[$($kind),*];
            fn from_checked(id: i64) -> Self {
                $name(id)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse::<i64>().map($name)
            }
        }

        impl PartialEq<i64> for $name {
            fn eq(&self, other: &i64) -> bool {
                self.0 == *other
            }
        }
        impl PartialEq<$name> for i64 {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_i64(self.0)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                <i64 as ::serde::Deserialize>::deserialize(d).map($name)
            }
        }

        impl ::sqlx::Type<::sqlx::Any> for $name {
            fn type_info() -> ::sqlx::any::AnyTypeInfo {
                <i64 as ::sqlx::Type<::sqlx::Any>>::type_info()
            }
            fn compatible(ty: &::sqlx::any::AnyTypeInfo) -> bool {
                <i64 as ::sqlx::Type<::sqlx::Any>>::compatible(ty)
            }
        }

        impl<'r> ::sqlx::Decode<'r, ::sqlx::Any> for $name {
            fn decode(
                value: ::sqlx::any::AnyValueRef<'r>,
            ) -> Result<Self, ::sqlx::error::BoxDynError> {
                <i64 as ::sqlx::Decode<'r, ::sqlx::Any>>::decode(value).map($name)
            }
        }

        impl<'q> ::sqlx::Encode<'q, ::sqlx::Any> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut <::sqlx::Any as ::sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<::sqlx::encode::IsNull, ::sqlx::error::BoxDynError> {
                <i64 as ::sqlx::Encode<'q, ::sqlx::Any>>::encode_by_ref(&self.0, buf)
            }
        }
    )+};
}

#[cfg(test)]
mod tests {
    use super::PathId;

    crate::id_type! {
        struct ThingId for ["thing"];
    }

    #[test]
    fn an_id_is_a_bare_integer_in_json_and_text() {
        let id = ThingId(42);
        assert_eq!(serde_json::to_string(&id).unwrap(), "42");
        assert_eq!(serde_json::from_str::<ThingId>("42").unwrap(), id);
        assert!(serde_json::from_str::<ThingId>("\"42\"").is_err());
        assert_eq!(id.to_string(), "42");
        assert_eq!("42".parse::<ThingId>().unwrap(), id);
        assert_eq!(id, 42i64);
        assert_eq!(ThingId::KINDS, &["thing"]);
        assert_eq!(ThingId::from_checked(7).get(), 7);
    }
}
