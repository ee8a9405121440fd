//! Kubernetes quantities (`10Gi`, `500M`, `1.5e9`), compared by value. A previous render may have
//! been edited by hand, so its sizes are not always of the `Mi`/`Gi`/`Ti` form the function
//! writes. Hand-rolled: k8s-openapi's `Quantity` is a string without arithmetic, and the grammar
//! (apimachinery `pkg/api/resource/quantity.go`) is a dozen lines.

/// The value of a quantity in billionths (`1` is 10⁹), exactly; `None` when `text` is not a
/// quantity, is negative, or is too large to hold.
pub fn nanos(text: &str) -> Option<u128> {
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+')).unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let number = number.strip_prefix('+').unwrap_or(number);
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() || !(whole.bytes().chain(fraction.bytes())).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits: u128 = format!("{whole}{fraction}").parse().ok()?;
    let scale = 10u128.checked_pow(u32::try_from(fraction.len()).ok()?)?;
    // value = digits / scale × multiplier, held as nanos: digits × multiplier × 10⁹ / scale.
    let (multiplier, divisor): (u128, u128) = match suffix {
        "Ki" => (1 << 10, 1),
        "Mi" => (1 << 20, 1),
        "Gi" => (1 << 30, 1),
        "Ti" => (1 << 40, 1),
        "Pi" => (1 << 50, 1),
        "Ei" => (1 << 60, 1),
        "n" => (1, 1_000_000_000),
        "u" => (1, 1_000_000),
        "m" => (1, 1_000),
        "" => (1, 1),
        "k" => (1_000, 1),
        "M" => (1_000_000, 1),
        "G" => (1_000_000_000, 1),
        "T" => (1_000_000_000_000, 1),
        "P" => (1_000_000_000_000_000, 1),
        "E" => (1_000_000_000_000_000_000, 1),
        exponent => {
            let e: i32 = exponent.strip_prefix(['e', 'E'])?.parse().ok()?;
            let p = 10u128.checked_pow(e.unsigned_abs())?;
            if e >= 0 {
                (p, 1)
            } else {
                (1, p)
            }
        }
    };
    Some(digits.checked_mul(multiplier)?.checked_mul(1_000_000_000)? / divisor / scale)
}

#[cfg(test)]
mod tests {
    use super::nanos;

    #[test]
    fn equal_quantities_compare_equal() {
        assert_eq!(nanos("1Gi"), nanos("1024Mi"));
        assert_eq!(nanos("1.5Gi"), nanos("1536Mi"));
        assert_eq!(nanos("1G"), nanos("1e9"));
        assert_eq!(nanos("1000M"), nanos("1G"));
        assert_eq!(nanos("500m"), nanos("0.5"));
        assert!(nanos("2Gi") > nanos("2G"));
        assert!(nanos("1Ti") > nanos("1023Gi"));
    }

    #[test]
    fn what_is_no_quantity_has_no_value() {
        for bad in ["", "Gi", "-1Gi", "1GB", "1..5Gi", "1e", "x", "1 Gi"] {
            assert_eq!(nanos(bad), None, "{bad}");
        }
    }
}
