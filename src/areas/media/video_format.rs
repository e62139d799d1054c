//! What a video file is, by its bytes (never by its name): an MP4 (an `ftyp` box of a known
//! brand first, its top-level boxes whole, a `moov` box) or a WebM (an EBML header whose
//! DocType is `webm`, then a Segment); and how long it lasts when the file says so (the MP4's
//! `mvhd`, or `mehd` for a fragmented one; the WebM's Segment Info Duration). Small readers
//! written here: the panel needs only these few fields, not a demuxer.

/// A video recognised by its bytes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Video {
    /// `video/mp4` or `video/webm`.
    pub content_type: &'static str,
    /// How long it lasts, when the file says so.
    pub duration_ms: Option<u64>,
}

/// MP4 brands (ISO base media files meant as MPEG-4 video) taken as MP4.
const MP4_BRANDS: &[&[u8; 4]] = &[
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9", b"mp41",
    b"mp42", b"mp71", b"avc1", b"av01", b"dash", b"M4V ", b"M4VH", b"M4VP", b"MSNV", b"XAVC",
    b"mmp4", b"cmfc", b"cmf2",
];

const NOT_A_VIDEO: &str = "is not an MP4 or WebM video (its contents were checked, not its name)";

/// The type of a video by its bytes, with its duration when the file tells it; the reason
/// otherwise (it reads after "The file …").
pub fn sniff(data: &[u8]) -> Result<Video, String> {
    if data.len() >= 12 && &data[4..8] == b"ftyp" {
        return mp4(data);
    }
    if data.starts_with(&[0x1a, 0x45, 0xdf, 0xa3]) {
        return webm(data);
    }
    Err(NOT_A_VIDEO.into())
}

// ---- MP4 (ISO/IEC 14496-12 boxes) ----

fn be32(d: &[u8], at: usize) -> Option<u64> {
    d.get(at..at + 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as u64)
}

fn be64(d: &[u8], at: usize) -> Option<u64> {
    d.get(at..at + 8).map(|b| {
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        u64::from_be_bytes(a)
    })
}

/// A box: its type and its body.
type Mp4Box<'a> = ([u8; 4], &'a [u8]);

/// The boxes laid one after another in `d`. `Err` when one runs past the end.
fn boxes(d: &[u8]) -> Result<Vec<Mp4Box<'_>>, ()> {
    let mut out = Vec::new();
    let mut i = 0usize;
    while i < d.len() {
        let size = be32(d, i).ok_or(())?;
        let kind: [u8; 4] = d.get(i + 4..i + 8).ok_or(())?.try_into().map_err(|_| ())?;
        let (header, size) = match size {
            // To the end of the file.
            0 => (8usize, (d.len() - i) as u64),
            1 => (16usize, be64(d, i + 8).ok_or(())?),
            n => (8usize, n),
        };
        if size < header as u64 || size > (d.len() - i) as u64 {
            return Err(());
        }
        let size = size as usize;
        out.push((kind, &d[i + header..i + size]));
        i += size;
    }
    Ok(out)
}

fn mp4(data: &[u8]) -> Result<Video, String> {
    let ftyp_size = be32(data, 0).unwrap_or(0) as usize;
    if ftyp_size < 16 || ftyp_size > data.len() {
        return Err("is an MP4 that does not decode (its ftyp box is broken)".into());
    }
    let brands = std::iter::once(&data[8..12])
        .chain(data[16..ftyp_size].chunks_exact(4))
        .collect::<Vec<_>>();
    if !brands
        .iter()
        .any(|b| MP4_BRANDS.iter().any(|k| &k[..] == *b))
    {
        let major = String::from_utf8_lossy(&data[8..12]).trim().to_string();
        return Err(match major.as_str() {
            "qt" => "is a QuickTime movie (.mov), not an MP4: export it as MP4 (H.264) or WebM"
                .to_string(),
            "M4A" | "M4B" | "M4P" => "is an audio file, not a video".to_string(),
            _ => format!("is an ISO media file of brand “{major}”, not an MP4 or WebM video"),
        });
    }
    let top = boxes(data).map_err(|_| {
        "is an MP4 that does not decode (cut off, or a box runs past its end)".to_string()
    })?;
    let Some((_, moov)) = top.iter().find(|(k, _)| k == b"moov") else {
        return Err("is an MP4 without its moov box (not a finished video file)".into());
    };
    let inner = boxes(moov)
        .map_err(|_| "is an MP4 that does not decode (its moov box is broken)".to_string())?;
    let mut timescale = 0u64;
    let mut duration = None;
    if let Some((_, mvhd)) = inner.iter().find(|(k, _)| k == b"mvhd") {
        let (ts, d) = match mvhd.first() {
            Some(1) => (be32(mvhd, 20), be64(mvhd, 24).filter(|d| *d != u64::MAX)),
            Some(0) => (
                be32(mvhd, 12),
                be32(mvhd, 16).filter(|d| *d != u32::MAX as u64),
            ),
            _ => (None, None),
        };
        let Some(ts) = ts.filter(|t| *t > 0) else {
            return Err("is an MP4 that does not decode (its mvhd box is broken)".into());
        };
        timescale = ts;
        duration = d.filter(|d| *d > 0);
    }
    // A fragmented MP4 says how long it lasts in mvex/mehd (mvhd's duration is then 0).
    if duration.is_none() && timescale > 0 {
        if let Some((_, mvex)) = inner.iter().find(|(k, _)| k == b"mvex") {
            if let Ok(parts) = boxes(mvex) {
                if let Some((_, mehd)) = parts.iter().find(|(k, _)| k == b"mehd") {
                    duration = match mehd.first() {
                        Some(1) => be64(mehd, 4),
                        Some(0) => be32(mehd, 4),
                        _ => None,
                    }
                    .filter(|d| *d > 0);
                }
            }
        }
    }
    Ok(Video {
        content_type: "video/mp4",
        duration_ms: duration.map(|d| (d as u128 * 1000 / timescale as u128) as u64),
    })
}

// ---- WebM (EBML, the Matroska elements WebM keeps) ----

/// An EBML element's id (its length marker kept, as ids are written) and the bytes it took.
fn ebml_id(d: &[u8], at: usize) -> Option<(u32, usize)> {
    let first = *d.get(at)?;
    let len = first.leading_zeros() as usize + 1;
    if len > 4 {
        return None;
    }
    let mut v = 0u32;
    for k in 0..len {
        v = (v << 8) | *d.get(at + k)? as u32;
    }
    Some((v, len))
}

/// An EBML size (marker removed; `None` inside for "unknown size", all ones) and the bytes it
/// took.
fn ebml_size(d: &[u8], at: usize) -> Option<(Option<u64>, usize)> {
    let first = *d.get(at)?;
    let len = first.leading_zeros() as usize + 1;
    if len > 8 {
        return None;
    }
    let mut v = (first as u64) & (0xff >> len);
    let mut all_ones = v == (0xff >> len) as u64;
    for k in 1..len {
        let b = *d.get(at + k)?;
        all_ones &= b == 0xff;
        v = (v << 8) | b as u64;
    }
    Some(((!all_ones).then_some(v), len))
}

/// One element: id, body (cut at the end of `d` when its size is unknown or runs past it),
/// whether its size was known and within `d`, and where the next one starts.
struct Element<'a> {
    id: u32,
    body: &'a [u8],
    whole: bool,
    next: usize,
}

fn element(d: &[u8], at: usize) -> Option<Element<'_>> {
    let (id, il) = ebml_id(d, at)?;
    let (size, sl) = ebml_size(d, at + il)?;
    let start = at + il + sl;
    if start > d.len() {
        return None;
    }
    let (end, whole) = match size {
        Some(s) if (s as u128) <= (d.len() - start) as u128 => (start + s as usize, true),
        _ => (d.len(), false),
    };
    Some(Element {
        id,
        body: &d[start..end],
        whole,
        next: end,
    })
}

fn uint(b: &[u8]) -> Option<u64> {
    (b.len() <= 8).then(|| b.iter().fold(0u64, |a, x| (a << 8) | *x as u64))
}

fn float(b: &[u8]) -> Option<f64> {
    match b.len() {
        4 => Some(f32::from_be_bytes([b[0], b[1], b[2], b[3]]) as f64),
        8 => {
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            Some(f64::from_be_bytes(a))
        }
        _ => None,
    }
}

const EBML_DOCTYPE: u32 = 0x4282;
const SEGMENT: u32 = 0x1853_8067;
const INFO: u32 = 0x1549_a966;
const CLUSTER: u32 = 0x1f43_b675;
const TIMECODE_SCALE: u32 = 0x2a_d7b1;
const DURATION: u32 = 0x4489;

fn webm(data: &[u8]) -> Result<Video, String> {
    let bad =
        || "is a WebM that does not decode (its EBML header is broken or cut off)".to_string();
    let header = element(data, 0).filter(|e| e.whole).ok_or_else(bad)?;
    let mut doctype = None;
    let mut i = 0;
    while let Some(e) = element(header.body, i) {
        if e.id == EBML_DOCTYPE {
            doctype = Some(
                String::from_utf8_lossy(e.body)
                    .trim_end_matches('\0')
                    .to_string(),
            );
        }
        i = e.next;
    }
    match doctype.as_deref() {
        Some("webm") => {}
        Some("matroska") => {
            return Err("is a Matroska (.mkv) file, not a WebM: export it as WebM or MP4".into())
        }
        _ => return Err(NOT_A_VIDEO.into()),
    }
    let segment = element(data, header.next)
        .filter(|e| e.id == SEGMENT)
        .ok_or_else(|| "is a WebM without its Segment (cut off)".to_string())?;
    // The Segment's first elements: its Info holds the scale and the duration.
    let mut duration_ms = None;
    let mut i = 0;
    while let Some(e) = element(segment.body, i) {
        if e.id == CLUSTER {
            break;
        }
        if e.id == INFO {
            let mut scale_ns = 1_000_000u64;
            let mut ticks = None;
            let mut j = 0;
            while let Some(f) = element(e.body, j) {
                match f.id {
                    TIMECODE_SCALE => {
                        scale_ns = uint(f.body).filter(|s| *s > 0).unwrap_or(scale_ns)
                    }
                    DURATION => ticks = float(f.body),
                    _ => {}
                }
                j = f.next;
            }
            duration_ms = ticks
                .filter(|t| t.is_finite() && *t > 0.0)
                .map(|t| (t * scale_ns as f64 / 1_000_000.0).round() as u64)
                .filter(|ms| *ms > 0);
            break;
        }
        if !e.whole {
            break;
        }
        i = e.next;
    }
    Ok(Video {
        content_type: "video/webm",
        duration_ms,
    })
}

/// Test files made by hand: the smallest MP4s and WebMs these readers accept.
#[cfg(test)]
mod samples {
    fn mp4_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    }

    /// An MP4: `ftyp` (isom), `moov` with a version 0 `mvhd` of `duration_ms` (none when 0; at a
    /// timescale of 1000), and an `mdat` of `payload` bytes.
    pub fn mp4(duration_ms: u32, payload: usize) -> Vec<u8> {
        let mut ftyp = b"isom".to_vec();
        ftyp.extend_from_slice(&0x200u32.to_be_bytes());
        ftyp.extend_from_slice(b"isomiso2mp41");
        let mut mvhd = vec![0u8; 4 + 8];
        mvhd.extend_from_slice(&1000u32.to_be_bytes());
        mvhd.extend_from_slice(&duration_ms.to_be_bytes());
        // rate, volume, reserved, matrix, pre-defined, next track id
        mvhd.extend_from_slice(&0x0001_0000u32.to_be_bytes());
        mvhd.extend_from_slice(&[1, 0]);
        mvhd.extend_from_slice(&[0; 10]);
        for m in [0x0001_0000u32, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000] {
            mvhd.extend_from_slice(&m.to_be_bytes());
        }
        mvhd.extend_from_slice(&[0; 24]);
        mvhd.extend_from_slice(&2u32.to_be_bytes());
        let mut out = mp4_box(b"ftyp", &ftyp);
        out.extend(mp4_box(b"moov", &mp4_box(b"mvhd", &mvhd)));
        out.extend(mp4_box(
            b"mdat",
            &(0..payload).map(|i| (i % 251) as u8).collect::<Vec<_>>(),
        ));
        out
    }

    fn ebml(id: &[u8], body: &[u8]) -> Vec<u8> {
        let mut b = id.to_vec();
        // An 8-byte size: 0x01 then seven bytes.
        b.push(0x01);
        b.extend_from_slice(&(body.len() as u64).to_be_bytes()[1..]);
        b.extend_from_slice(body);
        b
    }

    /// A WebM: its EBML header (DocType `doctype`) and a Segment whose Info says `duration_ms`
    /// (none when 0), then a Cluster of `payload` bytes.
    pub fn webm(doctype: &str, duration_ms: f64, payload: usize) -> Vec<u8> {
        let mut head = ebml(&[0x42, 0x86], &[1]);
        head.extend(ebml(&[0x42, 0x82], doctype.as_bytes()));
        let mut info = ebml(&[0x2a, 0xd7, 0xb1], &1_000_000u32.to_be_bytes());
        if duration_ms > 0.0 {
            info.extend(ebml(&[0x44, 0x89], &duration_ms.to_be_bytes()));
        }
        let mut seg = ebml(&[0x15, 0x49, 0xa9, 0x66], &info);
        seg.extend(ebml(&[0x1f, 0x43, 0xb6, 0x75], &vec![0u8; payload]));
        let mut out = ebml(&[0x1a, 0x45, 0xdf, 0xa3], &head);
        out.extend(ebml(&[0x18, 0x53, 0x80, 0x67], &seg));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::samples::{mp4, webm};
    use super::*;

    #[test]
    fn mp4s_are_recognised_with_their_duration() {
        let v = sniff(&mp4(12_345, 100)).unwrap();
        assert_eq!((v.content_type, v.duration_ms), ("video/mp4", Some(12_345)));
        assert_eq!(sniff(&mp4(0, 10)).unwrap().duration_ms, None);
        // Cut off inside the mdat: refused.
        let mut cut = mp4(1000, 100);
        cut.truncate(cut.len() - 1);
        assert!(sniff(&cut).unwrap_err().contains("does not decode"));
        // Without moov.
        let f = mp4(1000, 0);
        let ftyp = u32::from_be_bytes([f[0], f[1], f[2], f[3]]) as usize;
        let moov = u32::from_be_bytes([f[ftyp], f[ftyp + 1], f[ftyp + 2], f[ftyp + 3]]) as usize;
        let no_moov = [&f[..ftyp], &f[ftyp + moov..]].concat();
        assert!(
            sniff(&no_moov).unwrap_err().contains("moov"),
            "{:?}",
            sniff(&no_moov)
        );
        // A QuickTime movie, an audio file, an unknown brand.
        for (brand, says) in [
            (b"qt  ", "QuickTime"),
            (b"M4A ", "audio"),
            (b"abcd", "brand"),
        ] {
            let mut f = mp4(1000, 0);
            f[8..12].copy_from_slice(brand);
            f[16..28].copy_from_slice(b"abcdabcdabcd");
            assert!(sniff(&f).unwrap_err().contains(says), "{brand:?}");
        }
        // A version 1 mvhd (64-bit times).
        let mut v1 = b"\x00\x00\x00\x14ftypmp42\x00\x00\x00\x00mp42".to_vec();
        let mut mvhd = vec![1u8, 0, 0, 0];
        mvhd.extend_from_slice(&[0; 16]);
        mvhd.extend_from_slice(&600u32.to_be_bytes());
        mvhd.extend_from_slice(&(600u64 * 90).to_be_bytes());
        mvhd.extend_from_slice(&[0; 80]);
        let mvhd_box = [&((mvhd.len() + 8) as u32).to_be_bytes()[..], b"mvhd", &mvhd].concat();
        let moov = [
            &((mvhd_box.len() + 8) as u32).to_be_bytes()[..],
            b"moov",
            &mvhd_box,
        ]
        .concat();
        v1.extend(moov);
        assert_eq!(sniff(&v1).unwrap().duration_ms, Some(90_000));
    }

    #[test]
    fn webms_are_recognised_with_their_duration() {
        let v = sniff(&webm("webm", 4_500.0, 50)).unwrap();
        assert_eq!((v.content_type, v.duration_ms), ("video/webm", Some(4_500)));
        assert_eq!(sniff(&webm("webm", 0.0, 50)).unwrap().duration_ms, None);
        assert!(sniff(&webm("matroska", 1.0, 5))
            .unwrap_err()
            .contains("Matroska"));
        let head_only = webm("webm", 1.0, 0);
        let cut = &head_only[..30];
        assert!(sniff(cut).is_err());
    }

    #[test]
    fn other_files_are_refused() {
        for f in [
            &b"GIF89a...."[..],
            b"\x89PNG\r\n\x1a\n....",
            b"RIFF....AVI LIST",
            b"",
            b"\x00\x00\x00\x08ftyp",
        ] {
            assert!(sniff(f).is_err(), "{f:?}");
        }
    }
}
