//! Reaction times and the SLA clock of SPEC §2.3.
//!
//! A reaction is owed whenever the ball is in the platform's court: at creation, and again
//! after the dealer answers a question, approves an estimate or returns a result (the reaction
//! time restarts from that moment). While the ticket waits on the dealer the clock does not run.
//! A reaction that came late marks the ticket breached for good (reports keep it).
//!
//! [`SlaClock`] is the value the ticket carries; its transitions are pure. [`sla_effect`] says
//! what each lifecycle [`Action`] does to it and [`SlaClock::on_move`] applies that in one call.

pub mod watch;

use crate::calendar::WorkingCalendar;
use crate::ticket::catalog::{Billing, Criticality};
use crate::ticket::lifecycle::{Action, Status};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Share of the reaction time after which the SLA watch warns the specialist team, in percent.
pub const WARNING_PERCENT: i32 = 80;

/// How long the platform has to react, in the working calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReactionTime {
    /// N hours of open time.
    WorkingHours(u32),
    /// The same time of day N working days later.
    WorkingDays(u32),
}

impl ReactionTime {
    /// The portal's words, e.g. «3 рабочих часа», «8 рабочих часов», «3 рабочих дня».
    pub fn label(self) -> String {
        let (n, forms) = match self {
            ReactionTime::WorkingHours(n) => (n, ["рабочий час", "рабочих часа", "рабочих часов"]),
            ReactionTime::WorkingDays(n) => (n, ["рабочий день", "рабочих дня", "рабочих дней"]),
        };
        let form = match (n % 10, n % 100) {
            (_, 11..=14) => forms[2],
            (1, _) => forms[0],
            (2..=4, _) => forms[1],
            _ => forms[2],
        };
        format!("{n} {form}")
    }
}

/// The reaction time of a criticality (SPEC §2.3): low 3 working days, medium 8 working
/// hours, high 3 working hours.
pub fn reaction_time(criticality: Criticality) -> ReactionTime {
    match criticality {
        Criticality::Low => ReactionTime::WorkingDays(3),
        Criticality::Medium => ReactionTime::WorkingHours(8),
        Criticality::High => ReactionTime::WorkingHours(3),
    }
}

/// When a reaction is due if the ball came to the platform at `from` (creation, or the
/// dealer's answer / approval / return). The start is clamped into working time.
pub fn reaction_due(
    calendar: &WorkingCalendar,
    criticality: Criticality,
    from: DateTime<Utc>,
) -> DateTime<Utc> {
    match reaction_time(criticality) {
        ReactionTime::WorkingHours(h) => {
            calendar.add_working_duration(from, Duration::hours(i64::from(h)))
        }
        ReactionTime::WorkingDays(n) => calendar.add_working_days(from, n),
    }
}

/// The instant [`WARNING_PERCENT`] (80 %) of the open time between `from` (clamped) and `due`
/// has passed: when the SLA watch tells the specialist team. `from` itself when no open time
/// lies between them.
pub fn warning_at(
    calendar: &WorkingCalendar,
    from: DateTime<Utc>,
    due: DateTime<Utc>,
) -> DateTime<Utc> {
    let total = calendar.working_duration_between(from, due);
    let share = total
        .checked_mul(WARNING_PERCENT)
        .and_then(|t| t.checked_div(100))
        .unwrap_or(total);
    calendar.add_working_duration(from, share)
}

/// What a lifecycle move does to the SLA clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SlaEffect {
    /// A specialist reacted: judge the reaction against the due time and stop the clock.
    React,
    /// The ball is back with the platform: a new reaction period starts now.
    Restart,
    /// The ticket is finished: no reaction is owed any more.
    Stop,
    /// The clock is not affected.
    None,
}

/// The one table of which moves are reactions and which restart the clock.
///
/// - **Reactions** (a specialist's move): `take`, `ask_info`, `send_estimate`,
///   `send_for_review`, `declare_impossible`. Those that leave the ticket waiting on the
///   dealer (`ask_info`, `send_estimate`, `send_for_review`) also pause it.
/// - **Restarts** (the dealer hands the ball back): `answer`, `approve_estimate`, `return`.
/// - **Stops** (the dealer or the system closes the ticket): `accept`, `auto_accept`,
///   `reject_estimate`.
///
/// A specialist's comment to the dealer without a move is a reaction too (SPEC §2.3): it is
/// the only reaction a ticket back «В стадии решения» has short of finishing the work, so
/// `Ticket::react_by_comment` applies [`SlaClock::react`] for it.
pub fn sla_effect(action: Action) -> SlaEffect {
    match action {
        Action::Take
        | Action::AskInfo
        | Action::SendEstimate
        | Action::SendForReview
        | Action::DeclareImpossible => SlaEffect::React,
        Action::Answer | Action::ApproveEstimate | Action::Return => SlaEffect::Restart,
        Action::Accept | Action::AutoAccept | Action::RejectEstimate => SlaEffect::Stop,
    }
}

/// The reaction clock a ticket carries.
///
/// `(ticket, started_at)` identifies one reaction period, a natural idempotency key for the
/// SLA watch's notices ("80 % passed", "breached"): each is sent once per period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaClock {
    /// When the current (or last) reaction period began: creation or the dealer's last
    /// answer / approval / return. Not clamped; the due time is.
    pub started_at: DateTime<Utc>,
    /// When a reaction is due; `None` while no reaction is owed (reacted, paused, finished).
    pub due_at: Option<DateTime<Utc>>,
    /// When the SLA watch warns (80 % of the reaction time); `None` with `due_at`.
    pub warn_at: Option<DateTime<Utc>>,
    /// The ticket waits on the dealer; the clock does not run.
    pub paused: bool,
    /// A reaction came after its due time. Never cleared: late stays late in reports.
    pub breached: bool,
    /// When the last owed reaction happened.
    pub reacted_at: Option<DateTime<Utc>>,
    /// The SLA watch has told the specialist team that 80 % of this period passed.
    /// Reset by a new period ([`resume`](Self::resume)), so each period warns once.
    #[serde(default)]
    pub warning_sent: bool,
    /// The SLA watch has told the account manager that this period's reaction is late.
    /// Reset by a new period, like [`warning_sent`](Self::warning_sent).
    #[serde(default)]
    pub breach_reported: bool,
}

impl SlaClock {
    /// The clock of a ticket filed at `now`: a reaction is owed.
    pub fn start(
        calendar: &WorkingCalendar,
        criticality: Criticality,
        now: DateTime<Utc>,
    ) -> SlaClock {
        let due = reaction_due(calendar, criticality, now);
        SlaClock {
            started_at: now,
            due_at: Some(due),
            warn_at: Some(warning_at(calendar, now, due)),
            paused: false,
            breached: false,
            reacted_at: None,
            warning_sent: false,
            breach_reported: false,
        }
    }

    /// The ticket now waits on the dealer (need_info, estimate_sent, in_review): the clock
    /// stops without judging anything. Moves into those statuses are reactions; apply
    /// [`react`](Self::react) first ([`on_move`](Self::on_move) does).
    pub fn pause(self) -> SlaClock {
        SlaClock {
            due_at: None,
            warn_at: None,
            paused: true,
            ..self
        }
    }

    /// A specialist reacted at `now`. Late (after the due time) marks the clock breached for
    /// good; either way the clock stops. Nothing changes when no reaction was owed.
    pub fn react(self, now: DateTime<Utc>) -> SlaClock {
        let Some(due) = self.due_at else {
            return self;
        };
        SlaClock {
            due_at: None,
            warn_at: None,
            breached: self.breached || now > due,
            reacted_at: Some(now),
            ..self
        }
    }

    /// The dealer handed the ball back at `now` (answered, approved, returned): the reaction
    /// time restarts from that moment. An earlier breach stays marked.
    pub fn resume(
        self,
        calendar: &WorkingCalendar,
        criticality: Criticality,
        now: DateTime<Utc>,
    ) -> SlaClock {
        SlaClock {
            breached: self.breached,
            reacted_at: self.reacted_at,
            ..SlaClock::start(calendar, criticality, now)
        }
    }

    /// The ticket is finished: no reaction is owed, nothing is paused.
    pub fn stop(self) -> SlaClock {
        SlaClock {
            due_at: None,
            warn_at: None,
            paused: false,
            ..self
        }
    }

    /// Applies a lifecycle move that took the ticket to `to` at `now` — the one place the
    /// ticket calls. See [`sla_effect`] for the table.
    pub fn on_move(
        self,
        calendar: &WorkingCalendar,
        criticality: Criticality,
        action: Action,
        to: Status,
        now: DateTime<Utc>,
    ) -> SlaClock {
        let moved = match sla_effect(action) {
            SlaEffect::React => self.react(now),
            SlaEffect::Restart => self.resume(calendar, criticality, now),
            SlaEffect::Stop => self.stop(),
            SlaEffect::None => self,
        };
        if to.waits_on_dealer() {
            moved.pause()
        } else {
            SlaClock {
                paused: false,
                ..moved
            }
        }
    }

    /// A reaction is owed and the clock runs.
    pub fn is_running(&self) -> bool {
        self.due_at.is_some()
    }

    /// The current reaction is late: due time passed with no reaction yet.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.due_at.is_some_and(|due| now > due)
    }

    /// Breached for the queue and the reports: a late reaction in the past, or an owed one
    /// whose due time has passed.
    pub fn is_breached(&self, now: DateTime<Utc>) -> bool {
        self.breached || self.is_overdue(now)
    }

    /// The SLA watch should warn: 80 % of the reaction time is gone and no reaction yet.
    pub fn is_due_for_warning(&self, now: DateTime<Utc>) -> bool {
        self.warn_at.is_some_and(|warn| now >= warn)
    }

    /// This ticket's place in the specialist queue: only a reaction owed *now* and past
    /// due puts it on top. A late reaction in the past ([`breached`](Self::breached)) is for
    /// the card and the reports; it must not keep a ticket that waits on the dealer, or
    /// that the specialist already answered, ahead of work that is actually overdue.
    pub fn queue_key(&self, now: DateTime<Utc>, billing: Billing) -> QueueKey {
        queue_key(self.is_overdue(now), billing, self.due_at)
    }

    /// The SLA watch owes the specialist team the 80 % warning of this period.
    pub fn needs_warning(&self, now: DateTime<Utc>) -> bool {
        !self.warning_sent && self.is_due_for_warning(now)
    }

    /// The SLA watch owes the account manager the breach report of this period.
    pub fn needs_breach_report(&self, now: DateTime<Utc>) -> bool {
        !self.breach_reported && self.is_overdue(now)
    }

    /// When the SLA watch next has something to do for this clock: the warning time until
    /// the warning is sent, then the due time until the breach is reported; `None` when
    /// nothing is owed. The store keys its sweep index by this instant, so a sweep reads
    /// only the tickets that need it.
    pub fn next_watch_at(&self) -> Option<DateTime<Utc>> {
        let due = self.due_at?;
        if !self.warning_sent {
            Some(self.warn_at.unwrap_or(due))
        } else if !self.breach_reported {
            Some(due)
        } else {
            None
        }
    }

    /// The same period counted again in a changed calendar (an admin edited a day or the
    /// working hours): a running clock gets the due and warning times the new calendar
    /// gives from [`started_at`](Self::started_at); anything else is unchanged. What the
    /// watch already sent stays sent.
    pub fn recount(self, calendar: &WorkingCalendar, criticality: Criticality) -> SlaClock {
        if !self.is_running() {
            return self;
        }
        let fresh = SlaClock::start(calendar, criticality, self.started_at);
        SlaClock {
            due_at: fresh.due_at,
            warn_at: fresh.warn_at,
            ..self
        }
    }
}

/// A ticket's place in the specialist queue (SPEC §2.3): overdue now (a reaction owed and
/// past due) first, then paid before free, then earliest due; tickets without a due time
/// after those with one.
/// Sort ascending; break ties with the ticket number: `sort_by_key(|t| (t.key, t.number))`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QueueKey {
    // Field order is the comparison order.
    not_overdue: bool,
    free: bool,
    no_due: bool,
    due: Option<DateTime<Utc>>,
}

/// The queue key of a ticket; `overdue_now` is [`SlaClock::is_overdue`] at the time the
/// queue is built.
pub fn queue_key(overdue_now: bool, billing: Billing, due: Option<DateTime<Utc>>) -> QueueKey {
    QueueKey {
        not_overdue: !overdue_now,
        free: billing == Billing::Free,
        no_due: due.is_none(),
        due,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::YearCalendar;
    use crate::ticket::lifecycle::{Resume, next_status};

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn due(criticality: Criticality, from: &str) -> DateTime<Utc> {
        reaction_due(&WorkingCalendar::platform_default(), criticality, utc(from))
    }

    use Criticality::{High, Low, Medium};

    // --- reaction times ---

    #[test]
    fn reaction_times_follow_the_spec_table() {
        assert_eq!(reaction_time(Low), ReactionTime::WorkingDays(3));
        assert_eq!(reaction_time(Medium), ReactionTime::WorkingHours(8));
        assert_eq!(reaction_time(High), ReactionTime::WorkingHours(3));
        assert_eq!(reaction_time(Low).label(), "3 рабочих дня");
        assert_eq!(reaction_time(Medium).label(), "8 рабочих часов");
        assert_eq!(reaction_time(High).label(), "3 рабочих часа");
        assert_eq!(ReactionTime::WorkingDays(1).label(), "1 рабочий день");
        assert_eq!(ReactionTime::WorkingHours(11).label(), "11 рабочих часов");
        assert_eq!(ReactionTime::WorkingHours(21).label(), "21 рабочий час");
    }

    #[test]
    fn a_friday_evening_high_ticket_is_due_monday_at_11_30() {
        // Fri 14.03.2025 17:30 MSK: 30 min on Friday, 2 h 30 on Monday → Mon 17.03 11:30 MSK.
        assert_eq!(
            due(High, "2025-03-14T14:30:00Z"),
            utc("2025-03-17T08:30:00Z")
        );
    }

    #[test]
    fn a_friday_evening_medium_ticket_runs_into_monday_afternoon() {
        // Fri 14.03.2025 16:00 MSK: 2 h on Friday, 6 h on Monday → Mon 17.03 15:00 MSK.
        assert_eq!(
            due(Medium, "2025-03-14T13:00:00Z"),
            utc("2025-03-17T12:00:00Z")
        );
    }

    #[test]
    fn a_ticket_filed_at_night_counts_from_the_morning_opening() {
        // Tue 11.03.2025 02:00 MSK (Mon 23:00 UTC) → from 09:00 MSK → due 12:00 MSK.
        assert_eq!(
            due(High, "2025-03-10T23:00:00Z"),
            utc("2025-03-11T09:00:00Z")
        );
    }

    #[test]
    fn a_ticket_filed_on_a_weekend_counts_from_monday_morning() {
        // Sat 15.03.2025 12:00 MSK, medium → Mon 17.03 09:00 + 8 h = 17:00 MSK.
        assert_eq!(
            due(Medium, "2025-03-15T09:00:00Z"),
            utc("2025-03-17T14:00:00Z")
        );
        // Sun 16.03.2025 23:59 MSK, high → Mon 12:00 MSK.
        assert_eq!(
            due(High, "2025-03-16T20:59:00Z"),
            utc("2025-03-17T09:00:00Z")
        );
    }

    #[test]
    fn a_high_ticket_before_the_new_year_holidays_is_due_after_them() {
        // Tue 30.12.2025 17:00 MSK: 1 h that evening; 31.12.2025 and 01–11.01.2026 are off;
        // Mon 12.01.2026 09:00 + 2 h → 11:00 MSK.
        assert_eq!(
            due(High, "2025-12-30T14:00:00Z"),
            utc("2026-01-12T08:00:00Z")
        );
    }

    #[test]
    fn a_low_ticket_before_the_new_year_holidays_counts_working_days_across_them() {
        // Mon 29.12.2025 10:00 MSK: working days 30.12, 12.01, 13.01 → Tue 13.01.2026 10:00 MSK.
        assert_eq!(
            due(Low, "2025-12-29T07:00:00Z"),
            utc("2026-01-13T07:00:00Z")
        );
    }

    #[test]
    fn the_may_holidays_with_a_transferred_day_off_are_skipped() {
        // Wed 30.04.2025 is shortened (closes 17:00): 16:00 MSK high → 1 h; 01.05 holiday,
        // 02.05 transferred day off, weekend → Mon 05.05 09:00 + 2 h = 11:00 MSK.
        assert_eq!(
            due(High, "2025-04-30T13:00:00Z"),
            utc("2025-05-05T08:00:00Z")
        );
        // Wed 07.05.2025 14:00 MSK medium → 4 h; 08.05 transferred day off, 09.05 holiday,
        // weekend → Mon 12.05 09:00 + 4 h = 13:00 MSK.
        assert_eq!(
            due(Medium, "2025-05-07T11:00:00Z"),
            utc("2025-05-12T10:00:00Z")
        );
    }

    #[test]
    fn a_working_saturday_counts() {
        // Fri 27.12.2024 17:00 MSK high → 1 h; Sat 28.12.2024 works (t=3) → 11:00 MSK Saturday.
        assert_eq!(
            due(High, "2024-12-27T14:00:00Z"),
            utc("2024-12-28T08:00:00Z")
        );
        // A low ticket filed then counts the Saturday as a working day:
        // 28.12 (1), then 30.12 and 31.12.2024 are off, 01–08.01.2025 off → 09.01 (2), 10.01 (3).
        assert_eq!(
            due(Low, "2024-12-27T14:00:00Z"),
            utc("2025-01-10T14:00:00Z")
        );
    }

    #[test]
    fn a_shortened_working_saturday_counts_until_17() {
        // Sat 01.11.2025 works 09–17 (t=2). Filed there at 12:00 MSK, medium: 5 h that day;
        // Sun 02.11, Mon 03.11 (transferred), Tue 04.11 (holiday) off → Wed 05.11 09:00 + 3 h.
        assert_eq!(
            due(Medium, "2025-11-01T09:00:00Z"),
            utc("2025-11-05T09:00:00Z")
        );
        // Fri 31.10.2025 17:00 MSK, high: 1 h Friday, then Saturday 09:00 + 2 h = 11:00 MSK.
        assert_eq!(
            due(High, "2025-10-31T14:00:00Z"),
            utc("2025-11-01T08:00:00Z")
        );
    }

    #[test]
    fn a_medium_ticket_crosses_a_shortened_pre_holiday_day() {
        // Fri 07.03.2025 closes at 17:00. 12:00 MSK medium: 5 h Friday (not 6), 08.03 holiday,
        // Sunday → Mon 10.03 09:00 + 3 h = 12:00 MSK.
        assert_eq!(
            due(Medium, "2025-03-07T09:00:00Z"),
            utc("2025-03-10T09:00:00Z")
        );
    }

    #[test]
    fn low_is_three_working_days_at_the_same_time_of_day() {
        // Tue 11.03.2025 10:15 MSK → Fri 14.03 10:15 MSK.
        assert_eq!(
            due(Low, "2025-03-11T07:15:00Z"),
            utc("2025-03-14T07:15:00Z")
        );
        // Thu 13.03.2025 15:40 MSK → over the weekend → Tue 18.03 15:40 MSK.
        assert_eq!(
            due(Low, "2025-03-13T12:40:00Z"),
            utc("2025-03-18T12:40:00Z")
        );
    }

    #[test]
    fn low_filed_after_a_shortened_days_close_counts_from_the_next_opening() {
        // Fri 07.03.2025 17:30 MSK is past the shortened close → Mon 10.03 09:00 MSK
        // → 3 working days later: Thu 13.03 09:00 MSK.
        assert_eq!(
            due(Low, "2025-03-07T14:30:00Z"),
            utc("2025-03-13T06:00:00Z")
        );
    }

    #[test]
    fn low_landing_past_a_shortened_close_moves_to_the_next_opening() {
        // Tue 04.03.2025 17:30 MSK + 3 working days = Fri 07.03 17:30, past its 17:00 close
        // → Mon 10.03 09:00 MSK.
        assert_eq!(
            due(Low, "2025-03-04T14:30:00Z"),
            utc("2025-03-10T06:00:00Z")
        );
    }

    #[test]
    fn a_year_without_a_file_is_counted_on_statutory_holidays() {
        // Fri 31.12.2027 is off (file); 2028 is provisional: 01–08.01 off, Mon 10.01 works.
        // Thu 30.12.2027 17:00 MSK high → 1 h, then Mon 10.01.2028 09:00 + 2 h.
        assert_eq!(
            due(High, "2027-12-30T14:00:00Z"),
            utc("2028-01-10T08:00:00Z")
        );
    }

    #[test]
    fn tickets_filed_now_count_in_the_official_2027_calendar() {
        // Wed 30.12.2026 17:00 MSK high → 1 h; 31.12.2026 and 01–10.01.2027 are off
        // → Mon 11.01.2027 09:00 + 2 h.
        assert_eq!(
            due(High, "2026-12-30T14:00:00Z"),
            utc("2027-01-11T08:00:00Z")
        );
        // Fri 19.02.2027 17:00 MSK high: 1 h on Friday, then the working shortened Saturday
        // 20.02 from 09:00 + 2 h = 11:00 MSK.
        assert_eq!(
            due(High, "2027-02-19T14:00:00Z"),
            utc("2027-02-20T08:00:00Z")
        );
        // Sat 20.02.2027 15:00 MSK medium: 2 h until its 17:00 close; 21–23.02 off
        // → Wed 24.02 09:00 + 6 h = 15:00 MSK.
        assert_eq!(
            due(Medium, "2027-02-20T12:00:00Z"),
            utc("2027-02-24T12:00:00Z")
        );
        // Thu 04.11.2027 is a holiday and Fri 05.11 the day off moved from 02.01: a low
        // ticket filed Wed 03.11 at 12:00 MSK → Mon 08.11 (1), Tue (2), Wed 10.11 (3) 12:00.
        assert_eq!(
            due(Low, "2027-11-03T09:00:00Z"),
            utc("2027-11-10T09:00:00Z")
        );
    }

    // --- the 80 % warning ---

    #[test]
    fn the_warning_comes_at_80_percent_of_the_working_time() {
        let c = WorkingCalendar::platform_default();
        // Mon 10.03.2025 10:00 MSK high, due 13:00: 80 % of 3 h = 2 h 24 → 12:24 MSK.
        let from = utc("2025-03-10T07:00:00Z");
        let d = reaction_due(&c, High, from);
        assert_eq!(d, utc("2025-03-10T10:00:00Z"));
        assert_eq!(warning_at(&c, from, d), utc("2025-03-10T09:24:00Z"));
        // Over a weekend: Fri 14.03 17:30 → due Mon 11:30; 2 h 24 of open time → Mon 10:54 MSK.
        let from = utc("2025-03-14T14:30:00Z");
        let d = reaction_due(&c, High, from);
        assert_eq!(warning_at(&c, from, d), utc("2025-03-17T07:54:00Z"));
        // Low, Tue 11.03 10:00 → Fri 14.03 10:00 MSK = 27 h of open time; 80 % = 21 h 36 min
        // = Tue 8 h + Wed 9 h + Thu 4 h 36 min → Thu 13.03 13:36 MSK.
        let from = utc("2025-03-11T07:00:00Z");
        let d = reaction_due(&c, Low, from);
        assert_eq!(c.working_duration_between(from, d), Duration::hours(27));
        assert_eq!(warning_at(&c, from, d), utc("2025-03-13T10:36:00Z"));
        // Nothing between: warn at once.
        assert_eq!(warning_at(&c, d, from), d);
    }

    // --- the clock ---

    fn clock_at(criticality: Criticality, now: &str) -> SlaClock {
        SlaClock::start(&WorkingCalendar::platform_default(), criticality, utc(now))
    }

    #[test]
    fn a_new_ticket_owes_a_reaction_with_a_due_and_a_warning_time() {
        let c = clock_at(High, "2025-03-10T07:00:00Z");
        assert_eq!(c.started_at, utc("2025-03-10T07:00:00Z"));
        assert_eq!(c.due_at, Some(utc("2025-03-10T10:00:00Z")));
        assert_eq!(c.warn_at, Some(utc("2025-03-10T09:24:00Z")));
        assert!(c.is_running() && !c.paused && !c.breached);
        assert!(!c.is_due_for_warning(utc("2025-03-10T09:23:59Z")));
        assert!(c.is_due_for_warning(utc("2025-03-10T09:24:00Z")));
    }

    #[test]
    fn the_pause_restarts_the_reaction_time_from_the_dealers_answer() {
        let cal = WorkingCalendar::platform_default();
        // Mon 10.03.2025 10:00 MSK high; the specialist asks at 10:30 (on time), the clock
        // pauses; the dealer answers at 12:30 MSK; due restarts: 15:30 MSK, not 13:00.
        let filed = clock_at(High, "2025-03-10T07:00:00Z");
        let asked = filed.on_move(
            &cal,
            High,
            Action::AskInfo,
            Status::NeedInfo(Resume::Accepted),
            utc("2025-03-10T07:30:00Z"),
        );
        assert!(asked.paused && !asked.is_running() && !asked.breached);
        assert_eq!(asked.reacted_at, Some(utc("2025-03-10T07:30:00Z")));
        // Two hours waiting on the dealer never count as a breach, even past the old due time.
        assert!(!asked.is_breached(utc("2025-03-10T11:00:00Z")));
        let answered = asked.on_move(
            &cal,
            High,
            Action::Answer,
            Status::Accepted,
            utc("2025-03-10T09:30:00Z"),
        );
        assert!(!answered.paused);
        assert_eq!(answered.started_at, utc("2025-03-10T09:30:00Z"));
        assert_eq!(answered.due_at, Some(utc("2025-03-10T12:30:00Z")));
        assert!(!answered.is_breached(utc("2025-03-10T12:30:00Z")));
        assert!(answered.is_breached(utc("2025-03-10T12:30:01Z")));
    }

    #[test]
    fn a_late_reaction_stays_breached() {
        let cal = WorkingCalendar::platform_default();
        // Due 13:00 MSK; taken at 14:00 MSK.
        let taken = clock_at(High, "2025-03-10T07:00:00Z").on_move(
            &cal,
            High,
            Action::Take,
            Status::InProgress,
            utc("2025-03-10T11:00:00Z"),
        );
        assert!(taken.breached && !taken.is_running());
        // The result goes for review, comes back, and the next reaction is on time:
        // the ticket is still breached in reports.
        let later = taken
            .on_move(
                &cal,
                High,
                Action::SendForReview,
                Status::InReview,
                utc("2025-03-11T07:00:00Z"),
            )
            .on_move(
                &cal,
                High,
                Action::Return,
                Status::InProgress,
                utc("2025-03-11T08:00:00Z"),
            )
            .on_move(
                &cal,
                High,
                Action::SendForReview,
                Status::InReview,
                utc("2025-03-11T08:05:00Z"),
            )
            .on_move(
                &cal,
                High,
                Action::Accept,
                Status::Resolved,
                utc("2025-03-11T09:00:00Z"),
            );
        assert!(later.breached);
        assert!(!later.is_running() && !later.paused);
        assert!(later.is_breached(utc("2030-01-01T00:00:00Z")));
    }

    #[test]
    fn an_on_time_reaction_is_not_breached_and_reacting_exactly_at_due_is_on_time() {
        let c = clock_at(High, "2025-03-10T07:00:00Z").react(utc("2025-03-10T10:00:00Z"));
        assert!(!c.breached && !c.is_running());
        assert!(!c.is_breached(utc("2030-01-01T00:00:00Z")));
    }

    #[test]
    fn an_overdue_ticket_counts_as_breached_before_anyone_reacts() {
        let c = clock_at(High, "2025-03-10T07:00:00Z");
        assert!(!c.breached);
        assert!(!c.is_breached(utc("2025-03-10T10:00:00Z")));
        assert!(c.is_overdue(utc("2025-03-10T10:00:01Z")));
        assert!(c.is_breached(utc("2025-03-10T10:00:01Z")));
    }

    #[test]
    fn reacting_when_nothing_is_owed_changes_nothing() {
        let paused = clock_at(High, "2025-03-10T07:00:00Z")
            .react(utc("2025-03-10T07:30:00Z"))
            .pause();
        assert_eq!(paused.react(utc("2025-03-20T07:00:00Z")), paused);
    }

    #[test]
    fn every_move_has_its_sla_effect() {
        use Action as A;
        let table = [
            (A::Take, SlaEffect::React),
            (A::AskInfo, SlaEffect::React),
            (A::Answer, SlaEffect::Restart),
            (A::SendEstimate, SlaEffect::React),
            (A::ApproveEstimate, SlaEffect::Restart),
            (A::RejectEstimate, SlaEffect::Stop),
            (A::SendForReview, SlaEffect::React),
            (A::Accept, SlaEffect::Stop),
            (A::Return, SlaEffect::Restart),
            (A::DeclareImpossible, SlaEffect::React),
            (A::AutoAccept, SlaEffect::Stop),
        ];
        assert_eq!(table.len(), Action::ALL.len());
        for (action, effect) in table {
            assert_eq!(sla_effect(action), effect, "{}", action.code());
        }
    }

    #[test]
    fn the_clock_runs_exactly_when_the_ball_is_with_the_platform() {
        // Walk every allowed move from every status: afterwards the clock is paused exactly
        // when the ticket waits on the dealer, and never runs on a finished ticket.
        let cal = WorkingCalendar::platform_default();
        let now = utc("2025-03-10T07:00:00Z");
        let statuses = [
            Status::Accepted,
            Status::NeedInfo(Resume::Accepted),
            Status::NeedInfo(Resume::InProgress),
            Status::EstimateSent,
            Status::InProgress,
            Status::InReview,
        ];
        for from in statuses {
            for action in Action::ALL {
                let Ok(to) = next_status(from, action, Billing::Paid) else {
                    continue;
                };
                let clock = clock_at(Medium, "2025-03-10T06:00:00Z");
                let clock = if from.waits_on_dealer() {
                    clock.react(now).pause()
                } else {
                    clock
                };
                let after = clock.on_move(&cal, Medium, action, to, now);
                assert_eq!(after.paused, to.waits_on_dealer(), "{from:?} {action:?}");
                if to.waits_on_dealer() || to.is_done() {
                    assert!(!after.is_running(), "{from:?} {action:?}");
                }
                if sla_effect(action) == SlaEffect::Restart {
                    assert!(after.is_running(), "{from:?} {action:?}");
                }
            }
        }
    }

    #[test]
    fn the_clock_round_trips_through_json() {
        let c = clock_at(Low, "2025-03-10T07:00:00Z");
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<SlaClock>(&json).unwrap(), c);
    }

    #[test]
    fn a_clock_stored_before_the_watch_marks_existed_reads_as_nothing_sent() {
        let c = clock_at(High, "2025-03-10T07:00:00Z");
        let mut json = serde_json::to_value(c).unwrap();
        let object = json.as_object_mut().unwrap();
        object.remove("warning_sent");
        object.remove("breach_reported");
        assert_eq!(serde_json::from_value::<SlaClock>(json).unwrap(), c);
    }

    #[test]
    fn a_recount_moves_only_a_running_clock_and_keeps_what_was_sent() {
        let cal = WorkingCalendar::platform_default();
        let mut c = clock_at(High, "2025-03-10T07:00:00Z");
        c.warning_sent = true;
        // Opening at 11:00 MSK instead of 09:00: the period filed at 10:00 MSK counts from
        // 11:00, so the due time moves from 13:00 to 14:00 MSK.
        let late_opening = WorkingCalendar::new(
            YearCalendar::official_ru(),
            crate::calendar::WorkingHours::new(
                chrono::NaiveTime::from_hms_opt(11, 0, 0).unwrap(),
                chrono::NaiveTime::from_hms_opt(18, 0, 0).unwrap(),
                Duration::hours(1),
            )
            .unwrap(),
        );
        let none = late_opening;
        let moved = c.recount(&none, High);
        assert_eq!(moved.due_at, Some(utc("2025-03-10T11:00:00Z")));
        assert!(moved.warning_sent);
        assert_eq!(moved.started_at, c.started_at);
        assert_eq!(c.recount(&cal, High), c);
        let paused = c.react(utc("2025-03-10T07:30:00Z")).pause();
        assert_eq!(paused.recount(&none, High), paused);
    }

    // --- the queue ---

    #[test]
    fn the_queue_puts_overdue_first_then_paid_then_earliest_due() {
        let t = |s| Some(utc(s));
        let mut queue = vec![
            (
                "free, due soon",
                queue_key(false, Billing::Free, t("2025-03-10T08:00:00Z")),
            ),
            ("paid, no due", queue_key(false, Billing::Paid, None)),
            (
                "paid, due later",
                queue_key(false, Billing::Paid, t("2025-03-12T08:00:00Z")),
            ),
            (
                "free, overdue",
                queue_key(true, Billing::Free, t("2025-03-09T08:00:00Z")),
            ),
            (
                "paid, due sooner",
                queue_key(false, Billing::Paid, t("2025-03-11T08:00:00Z")),
            ),
            (
                "paid, overdue",
                queue_key(true, Billing::Paid, t("2025-03-09T09:00:00Z")),
            ),
            ("free, no due", queue_key(false, Billing::Free, None)),
        ];
        queue.sort_by_key(|(_, key)| *key);
        let order: Vec<_> = queue.into_iter().map(|(name, _)| name).collect();
        assert_eq!(
            order,
            vec![
                "paid, overdue",
                "free, overdue",
                "paid, due sooner",
                "paid, due later",
                "paid, no due",
                "free, due soon",
                "free, no due",
            ]
        );
    }

    #[test]
    fn an_overdue_clock_queues_first() {
        let overdue = clock_at(High, "2025-03-10T07:00:00Z");
        let fresh = clock_at(High, "2025-03-10T10:00:00Z");
        let now = utc("2025-03-10T11:00:00Z");
        assert!(overdue.queue_key(now, Billing::Free) < fresh.queue_key(now, Billing::Paid));
    }

    #[test]
    fn a_ticket_late_once_does_not_stay_on_top_of_the_queue() {
        let cal = WorkingCalendar::platform_default();
        let now = utc("2025-03-11T09:30:00Z");
        // Filed Mon 10:00 MSK (due 13:00), asked at 14:00 MSK: late, and now it waits on
        // the dealer — breached for the reports, but nothing is owed.
        let late_waiting = clock_at(High, "2025-03-10T07:00:00Z").on_move(
            &cal,
            High,
            Action::AskInfo,
            Status::NeedInfo(Resume::Accepted),
            utc("2025-03-10T11:00:00Z"),
        );
        assert!(late_waiting.breached && late_waiting.is_breached(now));
        // Late once, answered, and the new period is not overdue yet (due Tue 14:00 MSK).
        let late_restarted = late_waiting.on_move(
            &cal,
            High,
            Action::Answer,
            Status::Accepted,
            utc("2025-03-11T08:00:00Z"),
        );
        assert!(late_restarted.breached && !late_restarted.is_overdue(now));
        // A free ticket overdue right now (due 12:00 MSK), and a fresh paid one due after
        // the restarted one (14:30 MSK).
        let overdue_free = clock_at(High, "2025-03-11T05:00:00Z");
        assert!(overdue_free.is_overdue(now) && !overdue_free.breached);
        let fresh_paid = clock_at(High, "2025-03-11T08:30:00Z");
        let mut queue = [
            (
                "late once, waiting",
                late_waiting.queue_key(now, Billing::Paid),
            ),
            (
                "late once, restarted",
                late_restarted.queue_key(now, Billing::Paid),
            ),
            ("paid, fresh", fresh_paid.queue_key(now, Billing::Paid)),
            (
                "free, overdue now",
                overdue_free.queue_key(now, Billing::Free),
            ),
        ];
        queue.sort_by_key(|(_, key)| *key);
        let order: Vec<_> = queue.iter().map(|(name, _)| *name).collect();
        assert_eq!(
            order,
            [
                "free, overdue now",
                "late once, restarted",
                "paid, fresh",
                "late once, waiting",
            ]
        );
    }
}
