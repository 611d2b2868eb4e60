//! City matching. Players type their city freely ("Bogotá", "BOGOTA", "bogota "), so the
//! rankings compare a folded key — accents dropped, lower case, inner spaces collapsed — and
//! show the city as the player wrote it.

use unicode_normalization::{UnicodeNormalization as _, char::is_combining_mark};

/// The key under which `city` is matched: canonical decomposition with the combining marks
/// removed, then lower case, with runs of white space turned into one space.
pub fn fold(city: &str) -> String {
    let bare: String = city.nfkd().filter(|c| !is_combining_mark(*c)).collect();
    bare.to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_case_and_spacing_do_not_matter() {
        for spelling in ["Bogotá", "bogota", "BOGOTÁ", " Bogota ", "Bogota\u{301}"] {
            assert_eq!(fold(spelling), "bogota", "{spelling:?}");
        }
        assert_eq!(fold("San  José\tdel Guaviare"), "san jose del guaviare");
    }

    #[test]
    fn different_cities_stay_different() {
        assert_ne!(fold("Cali"), fold("Calí Norte"));
        assert_eq!(fold("Medellín"), "medellin");
        assert_eq!(fold("Cúcuta"), fold("CUCUTA"));
    }
}
