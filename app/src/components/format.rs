//! Formatting that gives the same text on the server and in the browser (so
//! hydration matches): UTC, fixed English month names.

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// "22 Nov 2026, 14:03 UTC" for a Unix-millisecond timestamp.
pub fn format_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{d} {} {y}, {:02}:{:02} UTC",
        MONTHS[(m - 1) as usize],
        of_day / 3600,
        (of_day % 3600) / 60
    )
}

/// "22 Nov 2026" for a Unix-millisecond timestamp.
pub fn format_date(ms: i64) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(1000).div_euclid(86_400));
    format!("{d} {} {y}", MONTHS[(m - 1) as usize])
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// "14 minutes", "1 minute", "40 seconds" — rounded up so a retry at that time works.
pub fn duration_words(secs: u64) -> String {
    if secs < 60 {
        return plural(secs.max(1), "second");
    }
    let minutes = secs.div_ceil(60);
    if minutes < 120 {
        return plural(minutes, "minute");
    }
    plural(minutes.div_ceil(60), "hour")
}

fn plural(n: u64, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// The readable label for an audit-log action.
pub fn audit_action_label(action: &str) -> &'static str {
    match action {
        "signup" => "Signed up",
        "login" => "Signed in",
        "login_failed" => "Failed sign-in",
        "account_locked" => "Sign-in locked",
        "logout" => "Signed out",
        "password_changed" => "Changed password",
        "role_changed" => "Changed role",
        "account_disabled" => "Disabled account",
        "account_enabled" => "Re-enabled account",
        "user_created" => "Created account",
        "invitation_created" => "Created invitation",
        "invitation_revoked" => "Revoked invitation",
        "settings_changed" => "Changed settings",
        _ => "Other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(format_time(0), "1 Jan 1970, 00:00 UTC");
        // 2026-11-22T14:03:00Z
        assert_eq!(format_time(1_795_356_180_000), "22 Nov 2026, 14:03 UTC");
        assert_eq!(format_date(951_782_400_000), "29 Feb 2000");
    }

    #[test]
    fn durations_round_up() {
        assert_eq!(duration_words(1), "1 second");
        assert_eq!(duration_words(61), "2 minutes");
        assert_eq!(duration_words(900), "15 minutes");
        assert_eq!(duration_words(7200), "2 hours");
    }
}
