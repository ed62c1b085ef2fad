//! Dates shown the way the site's "date format" setting says, in WordPress's (PHP's) format
//! letters (`F j, Y` → "May 16, 2025"), so a migrated site keeps its look.

use chrono::{DateTime, Datelike, TimeZone, Timelike};

/// Format a local time with PHP `date()` letters; `\x` prints x, unknown letters print themselves.
pub fn format<Tz: TimeZone>(at: &DateTime<Tz>, pattern: &str) -> String
where
    Tz::Offset: std::fmt::Display,
{
    let mut out = String::with_capacity(pattern.len() * 3);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        let piece = match c {
            '\\' => chars.next().map(String::from).unwrap_or_default(),
            'd' => format!("{:02}", at.day()),
            'D' => at.format("%a").to_string(),
            'j' => at.day().to_string(),
            'l' => at.format("%A").to_string(),
            'N' => at.weekday().number_from_monday().to_string(),
            'S' => ordinal_suffix(at.day()).into(),
            'w' => at.weekday().num_days_from_sunday().to_string(),
            'z' => at.ordinal0().to_string(),
            'W' => format!("{:02}", at.iso_week().week()),
            'F' => at.format("%B").to_string(),
            'm' => format!("{:02}", at.month()),
            'M' => at.format("%b").to_string(),
            'n' => at.month().to_string(),
            'Y' => at.year().to_string(),
            'y' => format!("{:02}", at.year() % 100),
            'a' => if at.hour() < 12 { "am" } else { "pm" }.into(),
            'A' => if at.hour() < 12 { "AM" } else { "PM" }.into(),
            'g' => (at.hour12().1).to_string(),
            'G' => at.hour().to_string(),
            'h' => format!("{:02}", at.hour12().1),
            'H' => format!("{:02}", at.hour()),
            'i' => format!("{:02}", at.minute()),
            's' => format!("{:02}", at.second()),
            'T' | 'e' => at.offset().to_string(),
            'P' => at.format("%:z").to_string(),
            'O' => at.format("%z").to_string(),
            'c' => at.to_rfc3339(),
            'r' => at.to_rfc2822(),
            'U' => at.timestamp().to_string(),
            other => other.to_string(),
        };
        out.push_str(&piece);
    }
    out
}

fn ordinal_suffix(day: u32) -> &'static str {
    match (day % 10, day % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn wordpress_formats() {
        let at = Utc.with_ymd_and_hms(2025, 5, 16, 14, 5, 9).unwrap();
        assert_eq!(format(&at, "F j, Y"), "May 16, 2025");
        assert_eq!(format(&at, "Y-m-d"), "2025-05-16");
        assert_eq!(format(&at, "d/m/Y"), "16/05/2025");
        assert_eq!(format(&at, "g:i a"), "2:05 pm");
        assert_eq!(format(&at, "H:i"), "14:05");
        assert_eq!(format(&at, "l, jS \\o\\f F"), "Friday, 16th of May");
        let first = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(format(&first, "jS g A"), "1st 12 AM");
    }
}
