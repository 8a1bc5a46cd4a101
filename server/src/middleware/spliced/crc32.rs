//! Joining CRC-32s (the gzip checksum) without reading the data again: the CRC of
//! `a ‖ b` is the CRC of `a` multiplied by x^(8·len(b)) modulo the CRC polynomial, plus
//! the CRC of `b`. The multiplier depends only on `b`'s length, so it is worked out once
//! per kept part, and joining costs one multiplication.

/// The CRC-32 polynomial, bit-reversed (the order the checksum is computed in: bit 31
/// stands for x^0).
const POLY: u32 = 0xEDB8_8320;

/// a·b modulo the polynomial.
fn multiply(a: u32, mut b: u32) -> u32 {
    let mut product = 0;
    let mut bit = 1u32 << 31;
    while bit != 0 {
        if a & bit != 0 {
            product ^= b;
        }
        b = if b & 1 != 0 { (b >> 1) ^ POLY } else { b >> 1 };
        bit >>= 1;
    }
    product
}

/// x^(8·len) modulo the polynomial: what `len` bytes appended do to the CRC before them.
pub fn shift_by(len: usize) -> u32 {
    let mut result = 1u32 << 31; // x^0
    let mut power = 1u32 << 30; // x^1, then x^2, x^4, … by squaring
    let mut n = len as u64 * 8;
    while n != 0 {
        if n & 1 != 0 {
            result = multiply(power, result);
        }
        power = multiply(power, power);
        n >>= 1;
    }
    result
}

/// The CRC-32 of `a ‖ b` from the CRC of `a`, the CRC of `b` and `shift_by(len(b))`.
pub fn combine(crc_a: u32, crc_b: u32, shift_b: u32) -> u32 {
    multiply(shift_b, crc_a) ^ crc_b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_crcs_equal_the_crc_of_the_joined_bytes() {
        let data: Vec<u8> = (0..70_000u32).map(|i| (i * 7919 % 251) as u8).collect();
        for (a, b) in [
            (0, 0),
            (0, 5),
            (5, 0),
            (1, 1),
            (100, 24),
            (30_000, 39_999),
            (3, 65_536),
        ] {
            let (left, right) = (&data[..a], &data[a..a + b]);
            assert_eq!(
                combine(
                    crc32fast::hash(left),
                    crc32fast::hash(right),
                    shift_by(right.len())
                ),
                crc32fast::hash(&data[..a + b]),
                "{a} + {b} bytes"
            );
        }
    }
}
