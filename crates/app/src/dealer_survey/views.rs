//! What the API and the portal show of the quarterly survey, and the trend's SVG chart.

use crate::dealer_survey::{DealerSurvey, Results};
use crate::kernel::time::{local, utc};
use dealerdesk_domain::dealer_survey::{
    Criterion, FollowUpTask, QuarterResult, SurveyAnswer, SurveyWindow,
};
use serde::Serialize;

/// A dealer's answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AnswerView {
    pub dealer_id: String,
    pub quarter: String,
    pub ticket_handling: u8,
    pub cso_updates: u8,
    pub support_overall: u8,
    pub comment: Option<String>,
    pub answered_at: String,
    pub updated_at: String,
    pub version: u64,
}

impl AnswerView {
    /// The view of `a`.
    pub fn new(a: &SurveyAnswer) -> Self {
        AnswerView {
            dealer_id: a.dealer_id.to_string(),
            quarter: a.quarter.code(),
            ticket_handling: a.scores.ticket_handling,
            cso_updates: a.scores.cso_updates,
            support_overall: a.scores.support_overall,
            comment: a.comment.clone(),
            answered_at: utc(a.answered_at),
            updated_at: utc(a.updated_at),
            version: a.version,
        }
    }
}

/// One criterion of the form.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CriterionView {
    pub code: &'static str,
    pub label: &'static str,
}

/// The criteria in form order.
pub fn criteria() -> Vec<CriterionView> {
    Criterion::ALL
        .into_iter()
        .map(|c| CriterionView {
            code: c.code(),
            label: c.label(),
        })
        .collect()
}

/// `GET /api/surveys/{quarter}`: the dealer's survey.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SurveyView {
    pub quarter: String,
    /// «IV квартал 2026 г.»
    pub quarter_label: String,
    /// `open` (answers taken and changed), `closed` (the quarter is over), `not_yet`.
    pub state: &'static str,
    /// The answer so far, if any.
    pub answer: Option<AnswerView>,
    pub criteria: Vec<CriterionView>,
}

impl SurveyView {
    /// The view of `s`.
    pub fn new(s: &DealerSurvey) -> Self {
        SurveyView {
            quarter: s.quarter.code(),
            quarter_label: s.quarter.label(),
            state: match s.window {
                SurveyWindow::Open => "open",
                SurveyWindow::Closed => "closed",
                SurveyWindow::NotYet => "not_yet",
            },
            answer: s.answer.as_ref().map(AnswerView::new),
            criteria: criteria(),
        }
    }
}

/// One criterion's average in a quarter.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AverageView {
    pub criterion: &'static str,
    pub label: &'static str,
    /// `null` without answers.
    pub average: Option<f64>,
}

/// One quarter of the trend.
#[derive(Serialize, utoipa::ToSchema)]
pub struct QuarterResultView {
    pub quarter: String,
    pub quarter_label: String,
    pub answers: usize,
    /// Answers with a score of 2 or less.
    pub low_answers: usize,
    pub averages: Vec<AverageView>,
}

impl QuarterResultView {
    /// The view of `r`.
    pub fn new(r: &QuarterResult) -> Self {
        QuarterResultView {
            quarter: r.quarter.code(),
            quarter_label: r.quarter.label(),
            answers: r.answers,
            low_answers: r.low_answers,
            averages: r
                .averages
                .iter()
                .map(|(c, avg)| AverageView {
                    criterion: c.code(),
                    label: c.label(),
                    average: *avg,
                })
                .collect(),
        }
    }
}

/// A dealer's answer in the results, with the dealer's name.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ResultAnswerView {
    pub dealer_name: String,
    #[serde(flatten)]
    pub answer: AnswerView,
}

/// `GET /api/surveys/results`
#[derive(Serialize, utoipa::ToSchema)]
pub struct ResultsView {
    pub quarter: String,
    pub quarter_label: String,
    /// The quarters up to `quarter`, oldest first.
    pub trend: Vec<QuarterResultView>,
    /// `quarter`'s answers, by dealer name.
    pub answers: Vec<ResultAnswerView>,
}

impl ResultsView {
    /// The view of `r`.
    pub fn new(r: &Results) -> Self {
        ResultsView {
            quarter: r.quarter.code(),
            quarter_label: r.quarter.label(),
            trend: r.trend.iter().map(QuarterResultView::new).collect(),
            answers: r
                .answers
                .iter()
                .map(|(a, name)| ResultAnswerView {
                    dealer_name: name.clone(),
                    answer: AnswerView::new(a),
                })
                .collect(),
        }
    }
}

/// A follow-up task.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TaskView {
    pub id: String,
    pub dealer_id: String,
    pub dealer_name: String,
    pub quarter: String,
    pub quarter_label: String,
    /// The criteria rated 2 or less.
    pub low: Vec<CriterionView>,
    pub ticket_handling: u8,
    pub cso_updates: u8,
    pub support_overall: u8,
    pub comment: Option<String>,
    pub created_at: String,
    /// Moscow time, for the portal.
    pub created_local: String,
    /// `open` or `closed`.
    pub status: &'static str,
    pub closed_by: Option<String>,
    pub closed_at: Option<String>,
    pub note: Option<String>,
    pub version: u64,
}

impl TaskView {
    /// The view of `t` for dealer `dealer_name`.
    pub fn new(t: &FollowUpTask, dealer_name: &str) -> Self {
        let closed = t.closed.as_ref();
        TaskView {
            id: t.id.clone(),
            dealer_id: t.dealer_id.to_string(),
            dealer_name: dealer_name.to_string(),
            quarter: t.quarter.code(),
            quarter_label: t.quarter.label(),
            low: t
                .low
                .iter()
                .map(|c| CriterionView {
                    code: c.code(),
                    label: c.label(),
                })
                .collect(),
            ticket_handling: t.scores.ticket_handling,
            cso_updates: t.scores.cso_updates,
            support_overall: t.scores.support_overall,
            comment: t.comment.clone(),
            created_at: utc(t.created_at),
            created_local: local(t.created_at),
            status: if closed.is_some() { "closed" } else { "open" },
            closed_by: closed.map(|c| c.by.to_string()),
            closed_at: closed.map(|c| utc(c.at)),
            note: closed.map(|c| c.note.clone()),
            version: t.version,
        }
    }
}

/// `{items}`
#[derive(Serialize, utoipa::ToSchema)]
pub struct TaskList {
    pub items: Vec<TaskView>,
}

/// One line of the trend chart.
#[derive(Serialize)]
pub struct ChartLine {
    pub label: &'static str,
    /// `x,y x,y …` for the SVG polyline.
    pub points: String,
    /// Each point with its value, for the dots and their titles.
    pub dots: Vec<ChartDot>,
    /// The line's class (its colour in the stylesheet).
    pub class: &'static str,
}

/// One point of a line.
#[derive(Serialize)]
pub struct ChartDot {
    pub x: f64,
    pub y: f64,
    pub title: String,
}

/// The trend chart: an SVG of `WIDTH` × `HEIGHT` with a line per criterion over the
/// quarters (scores 1–5), skipping quarters without answers.
#[derive(Serialize)]
pub struct TrendChart {
    pub width: u32,
    pub height: u32,
    pub lines: Vec<ChartLine>,
    /// The quarters' labels along the bottom: `(x, label)`.
    pub ticks: Vec<(f64, String)>,
    /// The score grid: `(y, score)`.
    pub grid: Vec<(f64, u8)>,
}

const WIDTH: u32 = 640;
const HEIGHT: u32 = 240;
const LEFT: f64 = 36.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 36.0;

impl TrendChart {
    /// The chart of `trend` (oldest quarter first).
    pub fn new(trend: &[QuarterResult]) -> Self {
        let n = trend.len().max(1);
        let span = f64::from(WIDTH) - LEFT - RIGHT;
        let x = |i: usize| {
            if n == 1 {
                LEFT + span / 2.0
            } else {
                LEFT + span * i as f64 / (n - 1) as f64
            }
        };
        let y = |score: f64| {
            let plot = f64::from(HEIGHT) - TOP - BOTTOM;
            TOP + plot * (5.0 - score) / 4.0
        };
        let classes = ["line-a", "line-b", "line-c"];
        let lines = Criterion::ALL
            .into_iter()
            .enumerate()
            .map(|(k, c)| {
                let dots: Vec<ChartDot> = trend
                    .iter()
                    .enumerate()
                    .filter_map(|(i, r)| {
                        let avg = r.averages.iter().find(|(cc, _)| *cc == c)?.1?;
                        Some(ChartDot {
                            x: x(i),
                            y: y(avg),
                            title: format!("{}: {} — {avg:.2}", r.quarter.label(), c.label()),
                        })
                    })
                    .collect();
                let points = dots
                    .iter()
                    .map(|d| format!("{:.1},{:.1}", d.x, d.y))
                    .collect::<Vec<_>>()
                    .join(" ");
                ChartLine {
                    label: c.label(),
                    points,
                    dots,
                    class: classes[k % classes.len()],
                }
            })
            .collect();
        TrendChart {
            width: WIDTH,
            height: HEIGHT,
            lines,
            ticks: trend
                .iter()
                .enumerate()
                .map(|(i, r)| (x(i), r.quarter.code()))
                .collect(),
            grid: (1..=5u8).map(|s| (y(f64::from(s)), s)).collect(),
        }
    }
}

/// The survey's pages.
pub fn add_templates(env: &mut crate::kernel::templates::Sources) {
    use crate::kernel::templates::add;
    add(
        env,
        "dealer_survey/form.html",
        include_str!("../../templates/dealer_survey/form.html"),
    );
    add(
        env,
        "dealer_survey/results.html",
        include_str!("../../templates/dealer_survey/results.html"),
    );
    add(
        env,
        "dealer_survey/tasks.html",
        include_str!("../../templates/dealer_survey/tasks.html"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use dealerdesk_domain::Quarter;

    #[test]
    fn the_chart_draws_a_line_per_criterion_and_skips_quarters_without_answers() {
        let q = |n| Quarter::new(2026, n).unwrap();
        let with = |quarter, avg: Option<f64>| QuarterResult {
            quarter,
            answers: usize::from(avg.is_some()),
            averages: Criterion::ALL.into_iter().map(|c| (c, avg)).collect(),
            low_answers: 0,
        };
        let chart = TrendChart::new(&[
            with(q(1), Some(5.0)),
            with(q(2), None),
            with(q(3), Some(1.0)),
        ]);
        assert_eq!(chart.lines.len(), 3);
        let line = &chart.lines[0];
        assert_eq!(line.dots.len(), 2);
        // 5 is the top of the plot, 1 its bottom.
        assert_eq!(line.dots[0].y, TOP);
        assert_eq!(line.dots[1].y, f64::from(HEIGHT) - BOTTOM);
        assert_eq!(
            line.points,
            format!(
                "{LEFT:.1},{TOP:.1} {:.1},{:.1}",
                f64::from(WIDTH) - RIGHT,
                f64::from(HEIGHT) - BOTTOM
            )
        );
        assert_eq!(chart.ticks[1].1, "2026-Q2");
    }
}
