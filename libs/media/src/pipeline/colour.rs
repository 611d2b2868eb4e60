//! Colour conversion to BT.709, the one colour space every output is coded and tagged in:
//! SDR sources change matrix only, HDR sources (PQ or HLG, BT.2020) are tone-mapped.

use ffmpeg_next::util::{
    color::{Range, Space, TransferCharacteristic},
    frame,
};

/// How a source's pictures are coded, as far as the conversion cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SourceColour {
    /// Standard dynamic range in this `scale` filter matrix (`bt709`, `bt601`, …).
    Sdr(&'static str),
    /// High dynamic range with this `zscale` transfer name, limited or full range.
    Hdr {
        transfer: &'static str,
        full_range: bool,
    },
}

impl SourceColour {
    /// Reads the tags of a decoded picture.
    pub(super) fn of(picture: &frame::Video) -> Self {
        let full_range = picture.color_range() == Range::JPEG;
        match picture.color_transfer_characteristic() {
            TransferCharacteristic::SMPTE2084 => Self::Hdr {
                transfer: "smpte2084",
                full_range,
            },
            TransferCharacteristic::ARIB_STD_B67 => Self::Hdr {
                transfer: "arib-std-b67",
                full_range,
            },
            _ => Self::Sdr(sdr_matrix(picture.color_space(), picture.height())),
        }
    }

    /// Filters that bring HDR pictures down to BT.709 SDR before the rest of the chain.
    pub(super) fn tone_mapping(self) -> Option<String> {
        let Self::Hdr {
            transfer,
            full_range,
        } = self
        else {
            return None;
        };
        let range = if full_range { "full" } else { "limited" };
        // Linear light with SDR white (100 cd/m²) at 1.0, BT.709 primaries, then mobius:
        // it keeps everything up to 30 % of SDR white as graded (faces, shadows) and rolls
        // the highlights off smoothly; desaturating them would wash out bright colours.
        Some(format!(
            "zscale=tin={transfer}:pin=bt2020:min=2020_ncl:rin={range}:t=linear:npl=100,\
             format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=mobius:desat=0,\
             zscale=t=bt709:m=bt709:r=limited,format=yuv420p"
        ))
    }

    /// The matrix the final `scale` filter reads the pictures in.
    pub(super) fn scale_matrix(self) -> &'static str {
        match self {
            Self::Sdr(matrix) => matrix,
            Self::Hdr { .. } => "bt709",
        }
    }
}

/// The `scale` filter's name for `space`; untagged pictures are read as players read them,
/// BT.709 from 720 lines up and BT.601 below.
// TODO: SDR sources with BT.2020 primaries get the BT.709 matrix but keep their gamut —
// their colours come out somewhat washed out; zscale could convert the primaries too.
fn sdr_matrix(space: Space, height: u32) -> &'static str {
    match space {
        Space::BT709 => "bt709",
        Space::BT470BG | Space::SMPTE170M => "bt601",
        Space::SMPTE240M => "smpte240m",
        Space::FCC => "fcc",
        Space::BT2020NCL | Space::BT2020CL => "bt2020",
        _ if height >= 720 => "bt709",
        _ => "bt601",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untagged_pictures_are_read_as_players_read_them() {
        assert_eq!(sdr_matrix(Space::Unspecified, 1080), "bt709");
        assert_eq!(sdr_matrix(Space::Unspecified, 480), "bt601");
        assert_eq!(sdr_matrix(Space::SMPTE170M, 1080), "bt601");
        assert_eq!(sdr_matrix(Space::BT709, 240), "bt709");
    }

    #[test]
    fn only_hdr_sources_are_tone_mapped() {
        let pq = SourceColour::Hdr {
            transfer: "smpte2084",
            full_range: false,
        };

        assert_eq!(SourceColour::Sdr("bt601").tone_mapping(), None);
        let chain = pq.tone_mapping().expect("tone mapping");
        assert!(chain.starts_with("zscale=tin=smpte2084:pin=bt2020:min=2020_ncl:rin=limited"));
        assert!(chain.ends_with("zscale=t=bt709:m=bt709:r=limited,format=yuv420p"));
        assert_eq!(pq.scale_matrix(), "bt709");
    }
}
