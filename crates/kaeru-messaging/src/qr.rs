//! QR codes for check-in at the door: an attendee's link drawn as SVG, crisp on any phone screen and in
//! print, with no image file to store.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// The link as an SVG QR code (medium error correction, a quiet zone, `size` pixels at least), with an
/// accessible title. `None` only if the text is too long for any QR version.
pub fn svg(text: &str, title: &str, size: u32) -> Option<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(size, size)
        .quiet_zone(true)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    let title = title
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    // The renderer writes an XML declaration first; inline SVG in HTML starts at <svg.
    let start = image.find("<svg")?;
    let body = &image[start..];
    let open_end = body.find('>')?;
    Some(format!(
        "{} role=\"img\" aria-label=\"{title}\"><title>{title}</title>{}",
        &body[..open_end],
        &body[open_end + 1..]
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_link_becomes_an_inline_svg() {
        let s = super::svg(
            "https://k.example/events/0190/checkin/abcdefghijklmnopqrstuv",
            "受付用QRコード",
            200,
        )
        .unwrap();
        assert!(s.starts_with("<svg"));
        assert!(s.contains("<title>受付用QRコード</title>"));
        assert!(s.contains("role=\"img\""));
    }
}
