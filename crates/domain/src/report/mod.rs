//! Reports (SPEC §4.6, issue 11): the pure parts every report shares.
//!
//! - [`ReportName`] — the closed list of reports, each with its [`ReportSpec`] (title,
//!   columns, the groupings it takes, its charts) and its [`Family`] (tickets or leads);
//! - [`query`] — what a caller asks for ([`ReportDraft`] as typed → [`ReportQuery`]: the
//!   period, the period compared with it, the grouping, the format, one dealer), checked
//!   with messages naming the field, and the presets the pages offer;
//! - [`access`] — who may open which report over which dealers ([`reach`], one table);
//! - [`model`] — what every report answers: a [`Report`] of columns and rows, each value
//!   beside its comparison and the change, assembled from the figures of each period.
//!
//! No I/O: a report's figures are read by the app (from the aggregate items the store
//! keeps up to date with each change) and handed to [`model::assemble`].

pub mod access;
pub mod leads;
pub mod model;
pub mod query;
pub mod tickets;

pub use access::{Family, Reach, ReportScope, reach, reports_of};
pub use model::{
    ChartKind, ChartSpec, Column, Figures, Line, Report, Row, Summary, ValueKind, Values, assemble,
    change_percent,
};
pub use query::{
    GroupBy, MAX_PERIOD_MONTHS, Period, Preset, ReportDraft, ReportFormat, ReportQuery, month_code,
    month_label,
};

crate::coded_enum! {
    /// The reports the platform computes. A new report is a variant here, its
    /// [`ReportSpec`] in [`ReportName::spec`] and its [`Family`]; the app adds its figures.
    pub enum ReportName {
        /// Tickets filed, by category, criticality, status, dealer or month.
        Tickets = "tickets" / "Обращения",
        /// Reaction-time compliance: the breached share per criticality and per month.
        TicketSla = "ticket_sla" / "Соблюдение времени реакции",
        /// Hours and costs per quarter (confirmed, disputed, moved) and the package's use.
        TicketCosts = "ticket_costs" / "Часы и стоимость работ",
        /// The quarterly survey's scores and their trend, one row per quarter.
        TicketSurvey = "ticket_survey" / "Квартальный опрос",
        /// Leads received, processed and not, and contracts, by dealer, place or type.
        Leads = "leads" / "Заявки",
        /// Refusals by the block and reason that ended the lead.
        LeadRefusals = "lead_refusals" / "Отказы и их причины",
        /// From lead to contact to contract.
        LeadConversion = "lead_conversion" / "Конверсия заявок в договор",
        /// Working time to the first contact: histogram and weekday × hour heat map.
        LeadProcessingTime = "lead_processing_time" / "Время обработки заявок",
        /// Overdue leads per regional representative.
        LeadOverdue = "lead_overdue" / "Просроченные заявки",
        /// The customers' survey answers.
        LeadSurvey = "lead_survey" / "Опрос клиентов по заявкам",
    }
}

/// What a report shows: its columns, the groupings it takes (the first is the default),
/// its figures of the whole period and the charts drawn over its rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportSpec {
    /// The report's value columns, in order; a column may belong to some groupings only
    /// ([`Column::only`], see [`ReportName::columns`]).
    pub columns: &'static [Column],
    /// Figures of the whole period that no row has (a mean over every row): shown once
    /// beside the table, never as a column of zeros under the rows.
    pub summary: &'static [Column],
    /// The groupings the report takes; the first is used when none is asked for.
    pub group_by: &'static [GroupBy],
    /// The charts of the report's page, each over one column.
    pub charts: &'static [ChartSpec],
    /// One line under the title: what the report counts.
    pub about: &'static str,
}

const fn col(code: &'static str, label: &'static str, kind: ValueKind) -> Column {
    Column {
        code,
        label,
        kind,
        only: &[],
    }
}

const TICKETS_COLUMNS: &[Column] = &[
    col("tickets", "Обращений", ValueKind::Count),
    col("paid", "Платных", ValueKind::Count),
    col("open", "Открыто", ValueKind::Count),
    col("resolved", "Решено", ValueKind::Count),
    col("impossible", "Не решено", ValueKind::Count),
];

const TICKET_SLA_COLUMNS: &[Column] = &[
    col("tickets", "Обращений", ValueKind::Count),
    col("breached", "С нарушением срока", ValueKind::Count),
    col("breached_share", "Доля нарушений", ValueKind::Percent),
];

const TICKET_COSTS_COLUMNS: &[Column] = &[
    col("confirmed_hours", "Подтверждено, ч", ValueKind::Hours),
    col("confirmed_cost", "Подтверждено, ₽", ValueKind::Money),
    col("pending_hours", "Ждёт подтверждения, ч", ValueKind::Hours),
    col("pending_cost", "Ждёт подтверждения, ₽", ValueKind::Money),
    col("disputed_hours", "Оспорено, ч", ValueKind::Hours),
    col("disputed_cost", "Оспорено, ₽", ValueKind::Money),
    col("moved_hours", "Перенесено, ч", ValueKind::Hours),
    col("moved_cost", "Перенесено, ₽", ValueKind::Money),
    col("package_hours", "Пакет, ч", ValueKind::Hours),
    col("package_used", "Использование пакета", ValueKind::Percent),
];

const TICKET_SURVEY_COLUMNS: &[Column] = &[
    col("answers", "Ответов", ValueKind::Count),
    col("ticket_handling", "Работа с обращениями", ValueKind::Score),
    col("cso_updates", "Обновления ЦСО", ValueKind::Score),
    col("support_overall", "Поддержка в целом", ValueKind::Score),
    col("low_answers", "С низкой оценкой", ValueKind::Count),
];

const LEADS_COLUMNS: &[Column] = &[
    col("received", "Получено", ValueKind::Count),
    col("processed", "Обработано", ValueKind::Count),
    col("unprocessed", "Не обработано", ValueKind::Count),
    col("processed_share", "Доля обработанных", ValueKind::Percent),
    col("contracts", "Договоров", ValueKind::Count),
    col("conversion", "Конверсия в договор", ValueKind::Percent),
    col("share", "Доля заявок", ValueKind::Percent),
];

const LEAD_REFUSALS_COLUMNS: &[Column] = &[
    col("count", "Отказов", ValueKind::Count),
    col("share", "Доля отказов", ValueKind::Percent),
];

const LEAD_CONVERSION_COLUMNS: &[Column] = &[
    col("received", "Получено", ValueKind::Count),
    col("contacted", "Связались", ValueKind::Count),
    col("contracts", "Договоров", ValueKind::Count),
    col("conversion", "Конверсия в договор", ValueKind::Percent),
    col(
        "contact_to_contract",
        "Из контакта в договор",
        ValueKind::Percent,
    ),
];

/// By stretch of processing time a row counts the leads first reached within it; by weekday
/// and hour it counts the leads that arrived in the slot and, beside them, the first
/// contacts made in it — a count a stretch has no use for.
const LEAD_PROCESSING_COLUMNS: &[Column] = &[
    col("count", "Заявок", ValueKind::Count),
    col("share", "Доля", ValueKind::Percent),
    col("reached", "Первых контактов", ValueKind::Count).only(&[GroupBy::WeekdayHour]),
];

/// The mean is over every first contact of the period, whatever the grouping.
const LEAD_PROCESSING_SUMMARY: &[Column] = &[col(
    "mean_minutes",
    "Среднее время до контакта, мин",
    ValueKind::Minutes,
)];

const LEAD_OVERDUE_COLUMNS: &[Column] = &[
    col("overdue_now", "Просрочено сейчас", ValueKind::Count),
    col(
        "escalated_2h",
        "Просрочено 2 ч (уведомлён дилер)",
        ValueKind::Count,
    ),
    col(
        "escalated_4h",
        "Просрочено 4 ч (уведомлён РП)",
        ValueKind::Count,
    ),
];

const LEAD_SURVEY_COLUMNS: &[Column] = &[
    col("count", "Ответов", ValueKind::Count),
    col("share", "Доля ответов", ValueKind::Percent),
];

const LEADS_CHARTS: &[ChartSpec] = &[ChartSpec::bars("received"), ChartSpec::bars("conversion")];
const LEAD_REFUSALS_CHARTS: &[ChartSpec] = &[ChartSpec::bars("count")];
const LEAD_CONVERSION_CHARTS: &[ChartSpec] = &[ChartSpec::bars("conversion")];
const LEAD_PROCESSING_CHARTS: &[ChartSpec] = &[
    ChartSpec::bars("count"),
    ChartSpec::heat_map("count"),
    ChartSpec::heat_map("reached"),
];
const LEAD_OVERDUE_CHARTS: &[ChartSpec] = &[
    ChartSpec::bars("overdue_now"),
    ChartSpec::bars("escalated_2h"),
];
const LEAD_SURVEY_CHARTS: &[ChartSpec] = &[ChartSpec::bars("count")];

const TICKETS_CHARTS: &[ChartSpec] = &[ChartSpec::bars("tickets")];
const TICKET_SLA_CHARTS: &[ChartSpec] = &[ChartSpec::line("breached_share")];
const TICKET_COSTS_CHARTS: &[ChartSpec] = &[
    ChartSpec::bars("confirmed_cost"),
    ChartSpec::bars("package_used"),
];
const TICKET_SURVEY_CHARTS: &[ChartSpec] = &[ChartSpec::line("ticket_handling")];

impl ReportName {
    /// The report's columns, groupings and charts.
    pub fn spec(self) -> ReportSpec {
        match self {
            ReportName::Tickets => ReportSpec {
                columns: TICKETS_COLUMNS,
                summary: &[],
                group_by: &[
                    GroupBy::Category,
                    GroupBy::Criticality,
                    GroupBy::Status,
                    GroupBy::Dealer,
                    GroupBy::Month,
                ],
                charts: TICKETS_CHARTS,
                about: "Обращения, поданные за период, и где они сейчас: открыты, решены \
                        или не решены (по статусу — сколько их в каждом статусе).",
            },
            ReportName::TicketSla => ReportSpec {
                columns: TICKET_SLA_COLUMNS,
                summary: &[],
                group_by: &[GroupBy::Month, GroupBy::Criticality, GroupBy::Dealer],
                charts: TICKET_SLA_CHARTS,
                about: "Обращения, поданные за период, и доля тех, где реакция поддержки \
                        пришла позже срока (по рабочему календарю); нарушение остаётся навсегда.",
            },
            ReportName::TicketCosts => ReportSpec {
                columns: TICKET_COSTS_COLUMNS,
                summary: &[],
                group_by: &[GroupBy::Quarter, GroupBy::Dealer],
                charts: TICKET_COSTS_CHARTS,
                about: "Платные работы по кварталам оплаты: подтверждённые, ждущие \
                        подтверждения, оспоренные и перенесённые на следующий квартал; \
                        использование пакета часов (пакет — по текущей подписке дилера).",
            },
            ReportName::TicketSurvey => ReportSpec {
                columns: TICKET_SURVEY_COLUMNS,
                summary: &[],
                group_by: &[GroupBy::Quarter],
                charts: TICKET_SURVEY_CHARTS,
                about: "Средние оценки квартального опроса дилеров (1–5) и их динамика.",
            },
            ReportName::Leads => ReportSpec {
                columns: LEADS_COLUMNS,
                summary: &[],
                group_by: &[
                    GroupBy::Dealer,
                    GroupBy::City,
                    GroupBy::Region,
                    GroupBy::District,
                    GroupBy::Type,
                ],
                charts: LEADS_CHARTS,
                about: "Заявки, поступившие за период: сколько обработано (клиенту \
                        дозвонились или заявка закрыта), сколько нет, сколько договоров. \
                        Город, регион и округ — дилера.",
            },
            ReportName::LeadRefusals => ReportSpec {
                columns: LEAD_REFUSALS_COLUMNS,
                summary: &[],
                group_by: &[GroupBy::Reason],
                charts: LEAD_REFUSALS_CHARTS,
                about: "Заявки периода в статусе «Отказ» — по блоку («Контакт» или \
                        «Договор») и причине.",
            },
            ReportName::LeadConversion => ReportSpec {
                columns: LEAD_CONVERSION_COLUMNS,
                summary: &[],
                group_by: &[
                    GroupBy::Dealer,
                    GroupBy::City,
                    GroupBy::Region,
                    GroupBy::District,
                ],
                charts: LEAD_CONVERSION_CHARTS,
                about: "Путь заявок периода от поступления к контакту с клиентом и к договору.",
            },
            ReportName::LeadProcessingTime => ReportSpec {
                columns: LEAD_PROCESSING_COLUMNS,
                summary: LEAD_PROCESSING_SUMMARY,
                group_by: &[GroupBy::Bucket, GroupBy::WeekdayHour],
                charts: LEAD_PROCESSING_CHARTS,
                about: "Рабочее время дилера от поступления заявки до первого контакта с \
                        клиентом; по дням недели и часам — когда заявки поступают и когда \
                        с клиентами связываются (местное время дилера).",
            },
            ReportName::LeadOverdue => ReportSpec {
                columns: LEAD_OVERDUE_COLUMNS,
                summary: &[],
                group_by: &[GroupBy::Representative],
                charts: LEAD_OVERDUE_CHARTS,
                about: "Заявки без обработки дольше 2 рабочих часов дилера: сейчас и \
                        эскалации за период — по региональным представителям.",
            },
            ReportName::LeadSurvey => ReportSpec {
                columns: LEAD_SURVEY_COLUMNS,
                summary: &[],
                group_by: &[GroupBy::Answer],
                charts: LEAD_SURVEY_CHARTS,
                about: "Ответы клиентов на опрос через 24 часа после заявки.",
            },
        }
    }

    /// Which family of data the report reads, which decides who may open it.
    pub fn family(self) -> Family {
        match self {
            ReportName::Tickets
            | ReportName::TicketSla
            | ReportName::TicketCosts
            | ReportName::TicketSurvey => Family::Tickets,
            ReportName::Leads
            | ReportName::LeadRefusals
            | ReportName::LeadConversion
            | ReportName::LeadProcessingTime
            | ReportName::LeadOverdue
            | ReportName::LeadSurvey => Family::Leads,
        }
    }

    /// The column of `code`, if the report has one.
    pub fn column(self, code: &str) -> Option<Column> {
        self.spec().columns.iter().copied().find(|c| c.code == code)
    }

    /// The columns of the rows grouped `group_by`, in order.
    pub fn columns(self, group_by: GroupBy) -> Vec<Column> {
        self.spec()
            .columns
            .iter()
            .copied()
            .filter(|c| c.belongs_to(group_by))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_report_has_columns_a_default_grouping_and_charts_over_its_own_columns() {
        for name in ReportName::ALL {
            let spec = name.spec();
            assert!(!spec.columns.is_empty(), "{name:?}");
            assert!(!spec.group_by.is_empty(), "{name:?}");
            for chart in spec.charts {
                assert!(name.column(chart.column).is_some(), "{name:?}: {chart:?}");
            }
            for g in spec.group_by {
                assert!(!name.columns(*g).is_empty(), "{name:?} by {g:?}");
            }
            for s in spec.summary {
                assert!(
                    name.column(s.code).is_none(),
                    "{name:?}: {s:?} is a row column too"
                );
            }
            assert_eq!(ReportName::from_code(name.code()), Some(name));
        }
    }

    #[test]
    fn processing_time_rows_carry_their_groupings_columns_and_the_mean_is_a_summary() {
        let codes = |g| {
            ReportName::LeadProcessingTime
                .columns(g)
                .iter()
                .map(|c| c.code)
                .collect::<Vec<_>>()
        };
        assert_eq!(codes(GroupBy::Bucket), ["count", "share"]);
        assert_eq!(codes(GroupBy::WeekdayHour), ["count", "share", "reached"]);
        let summary = ReportName::LeadProcessingTime.spec().summary;
        assert_eq!(
            summary.iter().map(|c| c.code).collect::<Vec<_>>(),
            ["mean_minutes"]
        );
    }

    #[test]
    fn an_unknown_report_name_is_none() {
        assert_eq!(ReportName::from_code("salaries"), None);
        assert_eq!(ReportName::from_code("Tickets"), None);
    }
}
