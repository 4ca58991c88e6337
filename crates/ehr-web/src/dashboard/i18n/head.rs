//! The catalogue: every user-facing string of the dashboard, in English and French.
//! See the [module documentation](super) for how to add one.

use super::Lang;

/// Declares [`Msg`] and its two tables from one list: an entry without both texts does
/// not compile.
macro_rules! catalogue {
    ($($(#[$doc:meta])* $key:ident { en: $en:expr, fr: $fr:expr $(,)? })*) => {
        /// A user-facing string of the dashboard; its text per language is [`Msg::text`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[allow(missing_docs)]
        pub enum Msg {
            $($(#[$doc])* $key,)*
        }

        const EN: &[&str] = &[$($en,)*];
        const FR: &[&str] = &[$($fr,)*];

        impl Msg {
            /// Every message, in the catalogue's order.
            pub const ALL: &'static [Msg] = &[$(Msg::$key,)*];

            /// Its text in `lang`.
            pub fn text(self, lang: Lang) -> &'static str {
                match lang {
                    Lang::En => EN[self as usize],
                    Lang::Fr => FR[self as usize],
                }
            }
        }
    };
}

catalogue! {
