//! Closed sets of words at the boundary (kinds, roles, statuses): Rust enums that are stored as
//! text, serialized as the same text, and parsed from it. A value the set does not know is an
//! error where it is read (JSON, a form, a database row), never a string passed along.
//!
//! `text_enum!` is a small macro rather than a crate (strum and the like): what it writes is
//! short, and it must also implement sqlx's `Any` encoding, which no such crate does.

/// `text_enum! { pub enum Role { Owner = "owner", … } }` writes the enum with `as_str`, `ALL`,
/// `TEXTS`, `Display`, `FromStr`, serde, sqlx (`Any`) and comparison with `&str` (templates and
/// SQL-facing code compare with the stored word).
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $var:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name { $($(#[$vmeta])* $var),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$var),+];
            /// Every value's word, in declaration order.
            pub const TEXTS: &'static [&'static str] = &[$($text),+];

            pub const fn as_str(self) -> &'static str {
                match self { $($name::$var => $text),+ }
            }

            /// The value for a stored or submitted word; `None` for any other.
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$var),)+ _ => None }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::kernel::enums::UnknownWord;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::parse(s).ok_or_else(|| $crate::kernel::enums::UnknownWord {
                    set: stringify!($name),
                    word: s.chars().take(40).collect(),
                })
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool { self.as_str() == other }
        }
        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool { self.as_str() == *other }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| {
                    <D::Error as ::serde::de::Error>::unknown_variant(&s, $name::TEXTS)
                })
            }
        }

        impl ::sqlx::Type<::sqlx::Any> for $name {
            fn type_info() -> ::sqlx::any::AnyTypeInfo {
                <String as ::sqlx::Type<::sqlx::Any>>::type_info()
            }
            fn compatible(ty: &::sqlx::any::AnyTypeInfo) -> bool {
                <String as ::sqlx::Type<::sqlx::Any>>::compatible(ty)
            }
        }

        impl<'r> ::sqlx::Decode<'r, ::sqlx::Any> for $name {
            fn decode(
                value: ::sqlx::any::AnyValueRef<'r>,
            ) -> Result<Self, ::sqlx::error::BoxDynError> {
                let s = <&'r str as ::sqlx::Decode<'r, ::sqlx::Any>>::decode(value)?;
                Ok(s.parse::<$name>()?)
            }
        }

        impl<'q> ::sqlx::Encode<'q, ::sqlx::Any> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut <::sqlx::Any as ::sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<::sqlx::encode::IsNull, ::sqlx::error::BoxDynError> {
                <&'q str as ::sqlx::Encode<'q, ::sqlx::Any>>::encode_by_ref(&self.as_str(), buf)
            }
        }
    };
}

/// A stored or submitted word that its set does not know.
#[derive(Debug, thiserror::Error)]
#[error("{word:?} is not a known {set}")]
pub struct UnknownWord {
    pub set: &'static str,
    pub word: String,
}

text_enum! {
    /// The kind of an account (PRODUCT.md §1).
    pub enum Kind {
        Operator = "operator",
        Partner = "partner",
        Reseller = "reseller",
        Dealer = "dealer",
        Customer = "customer",
    }
}

text_enum! {
    /// A login's role on its account, strongest first.
    pub enum Role {
        Owner = "owner",
        Admin = "admin",
        Member = "member",
        Viewer = "viewer",
    }
}

impl Role {
    /// Owner 3, admin 2, member 1, viewer 0.
    pub const fn rank(self) -> u8 {
        match self {
            Role::Owner => 3,
            Role::Admin => 2,
            Role::Member => 1,
            Role::Viewer => 0,
        }
    }
}

text_enum! {
    /// An account's status: `inactive` is suspended (by an account above, or unpaid).
    pub enum AccountStatus {
        Active = "active",
        Inactive = "inactive",
        Deleted = "deleted",
    }
}

text_enum! {
    /// A login's status.
    pub enum LoginStatus {
        Active = "active",
        Inactive = "inactive",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_and_unknown_words_are_refused() {
        for k in Kind::ALL {
            assert_eq!(k.as_str().parse::<Kind>().unwrap(), *k);
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        assert!("Partner".parse::<Kind>().is_err());
        assert!(serde_json::from_str::<Role>("\"root\"").is_err());
        assert_eq!(
            serde_json::from_str::<Role>("\"admin\"").unwrap(),
            Role::Admin
        );
        assert!(Role::Owner.rank() > Role::Admin.rank());
        assert!(Kind::Dealer == "dealer");
    }
}
