//! Coded enums: a closed list of values, each with its stable API code and its Russian label
//! («Новая», «Высокая»). The API carries both side by side (`state`, `state_label`); the
//! store keeps the code; the portal shows the label.
//!
//! Declare one with [`coded_enum!`](crate::coded_enum):
//!
//! ```
//! dealerdesk_domain::coded_enum! {
//!     /// How a lead reached the dealer.
//!     pub enum Channel {
//!         /// A form on a website.
//!         Site = "site" / "Сайт",
//!         Phone = "phone" / "Звонок",
//!     }
//! }
//! use dealerdesk_domain::kernel::Coded;
//! assert_eq!(Channel::from_code("phone"), Some(Channel::Phone));
//! assert_eq!(Channel::Site.label(), "Сайт");
//! assert_eq!(serde_json::to_string(&Channel::Site).unwrap(), "\"site\"");
//! ```

/// A closed list of values with stable codes and Russian labels.
pub trait Coded: Sized + Copy + Eq + 'static {
    /// Every value, in the order the rules list them.
    const ALL: &'static [Self];
    /// The stable machine code (API, store).
    fn code(self) -> &'static str;
    /// The Russian word people see.
    fn label(self) -> &'static str;
    /// Parses a code; `None` for anything else (case-sensitive, no trimming).
    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.code() == code)
    }
}

/// Declares an enum whose values have an API code and a Russian label, and implements
/// [`Coded`], `Display` (the code), and serde as the code.
///
/// Inherent `code()`, `label()`, `from_code()` and `ALL` are generated too, so callers need
/// not import the trait.
#[macro_export]
macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $code:literal / $label:literal
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in declaration order (an array, so `for v in T::ALL` yields values).
            pub const ALL: [$name; [$($code),+].len()] = [$($name::$variant),+];

            /// The stable API code.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            /// The Russian label shown to people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)+ }
            }

            /// Parses an API code.
            pub fn from_code(code: &str) -> Option<$name> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl $crate::kernel::Coded for $name {
            const ALL: &'static [$name] = &$name::ALL;
            fn code(self) -> &'static str { $name::code(self) }
            fn label(self) -> &'static str { $name::label(self) }
            fn from_code(code: &str) -> Option<$name> { $name::from_code(code) }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let code = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                $name::from_code(&code).ok_or_else(|| {
                    ::serde::de::Error::unknown_variant(&code, &[$($code),+])
                })
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::Coded;

    crate::coded_enum! {
        /// A test list.
        pub enum Colour {
            Red = "red" / "Красный",
            /// With a doc comment.
            Green = "green" / "Зелёный",
        }
    }

    #[test]
    fn codes_and_labels_round_trip() {
        for c in Colour::ALL {
            assert_eq!(Colour::from_code(c.code()), Some(c));
            assert_eq!(<Colour as Coded>::from_code(c.code()), Some(c));
        }
        assert_eq!(<Colour as Coded>::ALL, &Colour::ALL[..]);
        assert_eq!(Colour::Green.label(), "Зелёный");
        assert_eq!(Colour::from_code("blue"), None);
        assert_eq!(Colour::Red.to_string(), "red");
    }

    #[test]
    fn serde_uses_the_code() {
        assert_eq!(serde_json::to_string(&Colour::Green).unwrap(), "\"green\"");
        let back: Colour = serde_json::from_str("\"red\"").unwrap();
        assert_eq!(back, Colour::Red);
        assert!(serde_json::from_str::<Colour>("\"blue\"").is_err());
    }
}
