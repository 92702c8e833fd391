//! `ticket_survey`: the quarterly survey's scores (SPEC §2.9) per quarter of the period — how
//! many dealers answered, each criterion's average and the answers with a low score. It
//! reuses the survey's own read: a quarter's answers are one partition (`SURVEY#<quarter>`),
//! so the report reads one Query per quarter shown whatever the number of dealers.

use super::ReportContext;
use crate::kernel::error::AppError;
use dealerdesk_domain::dealer_survey::{Criterion, SurveyAnswer};
use dealerdesk_domain::report::{Figures, Line, Period, Values};
use dealerdesk_store::DealerSurveyRepo;
use rust_decimal::{Decimal, RoundingStrategy};

/// Each criterion's average, the count and the low answers of `answers`.
fn values(answers: &[&SurveyAnswer]) -> Values {
    let n = Decimal::from(answers.len());
    let mut values = Values::from([
        ("answers", n),
        (
            "low_answers",
            Decimal::from(
                answers
                    .iter()
                    .filter(|a| !a.scores.low().is_empty())
                    .count(),
            ),
        ),
    ]);
    for criterion in Criterion::ALL {
        if n.is_zero() {
            continue;
        }
        let sum: u32 = answers
            .iter()
            .map(|a| u32::from(a.scores.of(criterion)))
            .sum();
        let average = (Decimal::from(sum) / n)
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        values.insert(criterion.code(), average);
    }
    values
}

/// A line per quarter the period touches (the whole quarter's answers: the survey is
/// quarterly), oldest first, and the total over all of them.
pub(crate) async fn figures(ctx: &ReportContext<'_>, period: Period) -> Result<Figures, AppError> {
    let mut lines = Vec::new();
    let mut all = Vec::new();
    for quarter in period.quarters() {
        let answers: Vec<SurveyAnswer> = ctx
            .state
            .store
            .survey_answers(quarter)
            .await?
            .into_iter()
            .filter(|a| ctx.scope.admits(&a.dealer_id))
            .collect();
        let refs: Vec<&SurveyAnswer> = answers.iter().collect();
        lines.push(Line {
            key: quarter.code(),
            label: quarter.label(),
            values: values(&refs),
        });
        all.extend(answers);
    }
    let refs: Vec<&SurveyAnswer> = all.iter().collect();
    Ok(Figures {
        lines,
        total: values(&refs),
    })
}
