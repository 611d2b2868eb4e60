//! The owner snapshot: the uploader's public profile, fetched from `auth` with the caller's
//! own token and copied onto the video row, so the gallery never depends on `auth`.

use anb_proto::auth::v1::{GetProfileRequest, auth_service_client::AuthServiceClient};
use tonic::{Request, metadata::MetadataMap, transport::Channel};

use crate::error::{Error, Result};

/// What the public sees of a video's owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Player {
    pub first_name: String,
    pub last_name: String,
    pub city: String,
    pub country: String,
}

/// The caller's profile, asked of `auth` with the caller's own `authorization` metadata.
pub(crate) async fn fetch_profile(
    auth: &AuthServiceClient<Channel>,
    metadata: &MetadataMap,
) -> Result<Player> {
    let mut request = Request::new(GetProfileRequest {});
    if let Some(value) = metadata.get("authorization") {
        request
            .metadata_mut()
            .insert("authorization", value.clone());
    }
    let user = auth
        .clone()
        .get_profile(request)
        .await
        .map_err(Error::Profile)?
        .into_inner();

    Ok(Player {
        first_name: user.first_name,
        last_name: user.last_name,
        city: user.city,
        country: user.country,
    })
}

/// The form in which cities are compared: trimmed, lowercase, without accents, so
/// "Bogotá", "bogota" and " BOGOTÁ " name the same city.
pub(crate) fn city_key(city: &str) -> String {
    city.trim()
        .chars()
        .flat_map(char::to_lowercase)
        .map(strip_accent)
        .collect()
}

// Covers the Latin letters of the languages the platform's players write in; other
// characters are kept as they are, which only makes a filter stricter, never wrong.
fn strip_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'ď' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' => 'i',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
        'ř' => 'r',
        'ś' | 'š' | 'ş' => 's',
        'ť' | 'ţ' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn city_keys_ignore_case_accents_and_surrounding_spaces() {
        assert_eq!(city_key(" Bogotá "), "bogota");
        assert_eq!(city_key("BOGOTÁ"), city_key("bogota"));
        assert_eq!(city_key("Medellín"), "medellin");
        assert_eq!(city_key("São Paulo"), "sao paulo");
        assert_ne!(city_key("Cali"), city_key("Cúcuta"));
    }
}
