//! A rendered page kept with its CSP nonce cut out, so that each response can carry its
//! own nonce without copying the page — as it was rendered, and compressed once with
//! gzip for the browsers that ask for it (all of them).
//!
//! The gzip form is a single deflate stream built from pieces: each part of the page is
//! compressed on its own and ends on a byte boundary (a sync flush) except the last,
//! and the nonce of a response goes between them as a stored (uncompressed) block. No
//! part refers back into another, so any nonce fits. The CRC-32 the gzip trailer needs
//! is combined from the parts' CRCs and the nonce's, not computed over the page again.
use std::io::Write as _;

use axum::body::Bytes;
use bytes::{BufMut as _, BytesMut};
use flate2::write::DeflateEncoder;
use flate2::Compression;

mod crc32;

/// gzip member header: magic, deflate, no flags, no mtime, no extra flags, unknown OS.
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];

struct PartCrc {
    crc: u32,
    shift: u32,
}

pub struct Spliced {
    /// The page split at each occurrence of the nonce it was rendered with.
    parts: Vec<Bytes>,
    /// The parts deflated one by one; the first starts with the gzip header.
    deflated: Vec<Bytes>,
    /// The CRC-32 of each part, and what appending it does to a CRC before it.
    crcs: Vec<PartCrc>,
}

impl Spliced {
    /// Cuts `nonce` out of `body` and compresses the parts.
    pub fn new(body: &Bytes, nonce: &str) -> std::io::Result<Self> {
        let parts = split_at(body, nonce.as_bytes());
        let last = parts.len() - 1;
        let mut deflated = Vec::with_capacity(parts.len());
        let mut crcs = Vec::with_capacity(parts.len());
        for (i, part) in parts.iter().enumerate() {
            let start = if i == 0 {
                GZIP_HEADER.to_vec()
            } else {
                Vec::new()
            };
            let mut encoder = DeflateEncoder::new(start, Compression::best());
            encoder.write_all(part)?;
            let bytes = if i == last {
                encoder.finish()?
            } else {
                // A sync flush ends the part on a byte boundary without ending the stream;
                // the encoder's own end (written when it drops) is not used.
                encoder.flush()?;
                encoder.get_ref().clone()
            };
            deflated.push(Bytes::from(bytes));
            crcs.push(PartCrc {
                crc: crc32fast::hash(part),
                shift: crc32::shift_by(part.len()),
            });
        }
        Ok(Self {
            parts,
            deflated,
            crcs,
        })
    }

    /// Bytes held, plain and compressed.
    pub fn size(&self) -> usize {
        self.parts
            .iter()
            .chain(&self.deflated)
            .map(Bytes::len)
            .sum()
    }

    /// The page with `nonce` in place of the old one, as chunks to write one after
    /// another. The parts are shared, not copied.
    pub fn plain(&self, nonce: &str) -> Vec<Bytes> {
        let nonce = Bytes::copy_from_slice(nonce.as_bytes());
        let mut chunks = Vec::with_capacity(self.parts.len() * 2);
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                chunks.push(nonce.clone());
            }
            chunks.push(part.clone());
        }
        chunks
    }

    /// The same page as a gzip stream, in one buffer (it is a few kilobytes).
    pub fn gzip(&self, nonce: &str) -> Bytes {
        let nonce = nonce.as_bytes();
        let len = u16::try_from(nonce.len()).expect("a nonce is short");
        let nonce_crc = crc32fast::hash(nonce);
        let nonce_shift = crc32::shift_by(nonce.len());
        let total =
            self.parts.iter().map(Bytes::len).sum::<usize>() + nonce.len() * (self.parts.len() - 1);
        let size = self.deflated.iter().map(Bytes::len).sum::<usize>()
            + (5 + nonce.len()) * (self.parts.len() - 1)
            + 8;
        let mut out = BytesMut::with_capacity(size);
        let mut crc = 0;
        for (i, (part, part_crc)) in self.deflated.iter().zip(&self.crcs).enumerate() {
            if i > 0 {
                // A stored block that is not the last: header bits 000, padded to the byte,
                // then the length and its complement.
                out.put_u8(0);
                out.put_u16_le(len);
                out.put_u16_le(!len);
                out.put_slice(nonce);
                crc = crc32::combine(crc, nonce_crc, nonce_shift);
            }
            out.put_slice(part);
            crc = crc32::combine(crc, part_crc.crc, part_crc.shift);
        }
        out.put_u32_le(crc);
        // ISIZE is the length modulo 2^32.
        out.put_u32_le(total as u32);
        out.freeze()
    }
}

fn split_at(body: &Bytes, needle: &[u8]) -> Vec<Bytes> {
    let mut parts = Vec::new();
    let mut rest = 0;
    let mut at = 0;
    while !needle.is_empty() && at + needle.len() <= body.len() {
        if &body[at..at + needle.len()] == needle {
            parts.push(body.slice(rest..at));
            at += needle.len();
            rest = at;
        } else {
            at += 1;
        }
    }
    parts.push(body.slice(rest..));
    parts
}

/// Whether an `Accept-Encoding` header value accepts gzip (by name or `*`, q above 0).
pub fn accepts_gzip(accept_encoding: &str) -> bool {
    let mut gzip = None;
    let mut any = None;
    for item in accept_encoding.split(',') {
        let mut fields = item.split(';');
        let coding = fields.next().unwrap_or("").trim();
        let q = fields
            .filter_map(|f| f.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
            gzip = Some(q > 0.0);
        } else if coding == "*" {
            any = Some(q > 0.0);
        }
    }
    gzip.or(any).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use super::*;

    fn gunzip(gzip: &[u8]) -> String {
        let mut out = String::new();
        flate2::read::GzDecoder::new(gzip)
            .read_to_string(&mut out)
            .expect("a valid gzip stream");
        out
    }

    #[test]
    fn every_nonce_is_replaced_plain_and_gzip() {
        // As pages are: the nonce on a few scripts in the head and at the end.
        let page = format!(
            "<script nonce=\"N1\">a</script><link nonce=\"N1\">{}<p>N</p><script nonce=\"N1\">",
            "<li><p>An objection and its answer.</p></li>".repeat(200)
        );
        let spliced = Spliced::new(&Bytes::from(page.clone()), "N1").unwrap();
        let want = page.replace("N1", "XYZ-fresh");
        assert_eq!(
            String::from_utf8(spliced.plain("XYZ-fresh").concat()).unwrap(),
            want
        );
        assert_eq!(gunzip(&spliced.gzip("XYZ-fresh")), want);
        // Smaller than the page, even with every part compressed on its own.
        assert!(spliced.gzip("XYZ-fresh").len() < want.len() / 4);
    }

    #[test]
    fn pages_without_a_nonce_or_ending_in_one_still_decode() {
        for (page, nonce) in [
            ("no nonce here", "N1"),
            ("N1", "N1"),
            ("", "N1"),
            ("aN1N1b", "N1"),
        ] {
            let spliced = Spliced::new(&Bytes::from(page), nonce).unwrap();
            assert_eq!(
                gunzip(&spliced.gzip("new")),
                page.replace(nonce, "new"),
                "{page:?}"
            );
        }
    }

    #[test]
    fn gzip_is_accepted_as_browsers_and_clients_say_it() {
        assert!(accepts_gzip("gzip, deflate, br, zstd"));
        assert!(accepts_gzip("br;q=1.0, gzip;q=0.8"));
        assert!(accepts_gzip("*"));
        assert!(accepts_gzip("X-GZIP"));
        assert!(!accepts_gzip(""));
        assert!(!accepts_gzip("br"));
        assert!(!accepts_gzip("gzip;q=0"));
        assert!(!accepts_gzip("*, gzip;q=0"));
        assert!(!accepts_gzip("identity"));
    }
}
