//! A lived-in demo network: on the first start of an empty data dir the local server plays
//! a few weeks of support work for the demo dealers, so that a newcomer's first page shows
//! the product working instead of «Обращений нет.», and the previous billing period's paid
//! work of every dealer, confirmed, so that the bill of the quarter just ended has work on
//! it (`previous_quarter_scripts`).
//!
//! The history is made the way a client makes it: through the product's own HTTP API
//! (`routes::all` called in-process), logged in as the demo users, and through the
//! scheduled jobs. It depends on nothing else inside the crate, so it stays correct
//! whatever the use cases, stores and views look like inside. It runs on its own clock,
//! stepped from weeks ago to the server's "now", so that SLA due times, the queue and the
//! cost quarter read right on the day of the first start (also under `DEALERDESK_CLOCK`).

use crate::jobs::{self, Job};
use crate::{AppState, Clock, Settings, routes};
use axum::Router;
use axum::body::Body;
use chrono::{
    DateTime, Datelike, Duration, DurationRound, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime,
    Utc, Weekday,
};
use http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use thiserror::Error;
use tower::ServiceExt;
use tracing::instrument::WithSubscriber;

/// What the history created.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HistoryReport {
    /// Tickets filed.
    pub tickets: usize,
    /// Wishes submitted.
    pub wishes: usize,
    /// Leads posted by the demo sites or typed in by a dealer.
    pub leads: usize,
    /// API requests made (logins included).
    pub requests: usize,
}

/// Why the history could not be played to its end.
#[derive(Debug, Error)]
pub enum HistoryError {
    /// The API refused a step: the product's rules changed under the script.
    #[error("demo history, {step}: HTTP {status}: {body}")]
    Refused {
        step: String,
        status: u16,
        body: String,
    },
    /// A job or the in-process transport failed.
    #[error("demo history, {step}: {message}")]
    Failed { step: String, message: String },
}

/// Plays the demo history against `state`'s store, ending at `state`'s "now" (its minute).
/// Requests and jobs run on a copy of the state with a stopped clock of its own, set to
/// each step's instant on the timeline (whole minutes, but for the billed era's compressed
/// steps), so what the history stamps (a
/// lead's arrival, its first contact, the working minutes between them) is a function of
/// the server's clock alone, not of the second seeding began or of how long a request
/// took; the server's clock is not moved. Meant for a fresh data dir right after
/// [`super::seed`]: it files new tickets and wishes every time it runs.
pub async fn seed(state: &AppState) -> Result<HistoryReport, HistoryError> {
    let timeline = Timeline::new(state.clock.now());
    let now = timeline.now;
    let mut copy = state.clone();
    copy.clock = Clock::stopped_at(timeline.start());
    // Six logins at the start of the history serve the whole of it; they are ended at the
    // end, so no long session outlives the seeding.
    copy.settings = Arc::new(Settings {
        session_hours: 24 * 400,
        ..(*state.settings).clone()
    });
    let mut player = Player {
        app: routes::all(copy.clone()),
        state: copy,
        end: now,
        tokens: HashMap::new(),
        report: HistoryReport::default(),
    };
    // Hundreds of requests would bury the server's start-up log: one line says it all.
    let played = player
        .play(&timeline, scripts())
        .with_subscriber(tracing::subscriber::NoSubscriber::default())
        .await;
    played?;
    tracing::info!(
        tickets = player.report.tickets,
        wishes = player.report.wishes,
        leads = player.report.leads,
        requests = player.report.requests,
        "demo history created"
    );
    Ok(player.report)
}

// ------------------------------------------------------------------------------ time

/// Moscow time: the platform's working hours (Moscow has no daylight saving time).
fn msk() -> FixedOffset {
    FixedOffset::east_opt(3 * 3600).expect("valid offset")
}

const OPEN: NaiveTime = NaiveTime::from_hms_opt(9, 0, 0).expect("valid time");
const CLOSE: NaiveTime = NaiveTime::from_hms_opt(18, 0, 0).expect("valid time");
/// Working minutes in a working day.
const DAY: i64 = 9 * 60;

/// `days` working days, `hours` and `minutes` of working time, in working minutes.
const fn wt(days: i64, hours: i64, minutes: i64) -> i64 {
    days * DAY + hours * 60 + minutes
}

fn is_weekday(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    local
        .and_local_timezone(msk())
        .single()
        .expect("a fixed offset has one reading")
        .with_timezone(&Utc)
}

/// The instant `minutes` of working time (Mon–Fri 09:00–18:00 Moscow) before `now`. The
/// script's times are close enough to the product's calendar this way; holidays only make
/// a step land on a day off.
fn working_back(now: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
    let mut cursor = now.with_timezone(&msk()).naive_local();
    let mut left = minutes.max(0);
    loop {
        let day = cursor.date();
        if is_weekday(day) {
            let end = cursor.min(day.and_time(CLOSE));
            let open = day.and_time(OPEN);
            if end > open {
                let available = (end - open).num_minutes();
                if left <= available {
                    return to_utc(end - Duration::minutes(left));
                }
                left -= available;
            }
        }
        cursor = day.pred_opt().expect("a date after year 1").and_time(CLOSE);
    }
}

/// Working minutes between `from` and `to`.
fn working_minutes(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    let from = from.with_timezone(&msk()).naive_local();
    let to = to.with_timezone(&msk()).naive_local();
    let mut total = 0;
    let mut day = from.date();
    while day <= to.date() {
        if is_weekday(day) {
            let start = from.max(day.and_time(OPEN));
            let end = to.min(day.and_time(CLOSE));
            if end > start {
                total += (end - start).num_minutes();
            }
        }
        day = day.succ_opt().expect("a date before year 262143");
    }
    total
}

/// Where the current billing period began: costs that become payable from then on are
/// billed in the quarter the dealer is checking now. The dealer checks a quarter until
/// the 26th of its last month (SPEC §2.6), so the period starts on the 27th of March,
/// June, September or December, 00:00 Moscow time.
fn billing_period_start(now: DateTime<Utc>) -> DateTime<Utc> {
    let today = now.with_timezone(&msk()).date_naive();
    let (mut year, mut month) = (today.year(), today.month());
    loop {
        if month.is_multiple_of(3) {
            let start = NaiveDate::from_ymd_opt(year, month, 27).expect("the 27th exists");
            if start <= today {
                return to_utc(start.and_time(NaiveTime::MIN));
            }
        }
        (year, month) = if month == 1 {
            (year - 1, 12)
        } else {
            (year, month - 1)
        };
    }
}

/// The longest a step of the billed part of the history lies before "now", in working
/// minutes (every [`Era::Billed`] step is at most this far back).
const BILLED_SPAN: i64 = wt(6, 6, 0);

/// Which part of the history a script belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Era {
    /// Weeks of work: free tickets, open ones, wishes. Steps land exactly where the
    /// script says.
    Past,
    /// Tickets whose cost the dealer confirms, disputes or still has to check: they must
    /// finish inside the current billing period, so their steps are squeezed into it when
    /// the period began only days ago.
    Billed,
    /// Paid work of the previous billing period, confirmed: the bill of the quarter just
    /// ended. Steps are working minutes before the current period began, so they land
    /// inside the previous one however the clock stands.
    Previous,
}

/// The script's working-minute offsets turned into instants ending at "now".
struct Timeline {
    now: DateTime<Utc>,
    period_start: DateTime<Utc>,
    /// Working minutes from the billing period's start to now, less a margin.
    period_minutes: i64,
}

impl Timeline {
    /// The timeline ending at `now`'s minute: the seconds past it would shift every step
    /// and, cut off by the working-hours arithmetic, change minutes between steps.
    fn new(now: DateTime<Utc>) -> Timeline {
        let now = now.duration_trunc(Duration::minutes(1)).unwrap_or(now);
        let period_start = billing_period_start(now);
        Timeline {
            now,
            period_start,
            period_minutes: working_minutes(period_start, now) - 30,
        }
    }

    /// Where a step `minutes` of working time before now lands.
    fn at(&self, era: Era, minutes: i64) -> DateTime<Utc> {
        match era {
            Era::Past => working_back(self.now, minutes),
            Era::Previous => working_back(self.period_start, minutes),
            Era::Billed if self.period_minutes >= BILLED_SPAN => working_back(self.now, minutes),
            Era::Billed if self.period_minutes >= 120 => {
                working_back(self.now, minutes * self.period_minutes / BILLED_SPAN)
            }
            // The period began hours ago, over a weekend or at night: plain time, all of
            // it after the period's start.
            Era::Billed => {
                let span = (self.now - self.period_start) * 9 / 10;
                // In seconds: a period begun minutes ago has too few whole minutes to
                // keep every step strictly inside it. Still a function of `now` alone.
                let back = span.num_seconds() * minutes.min(BILLED_SPAN) / BILLED_SPAN;
                self.now - Duration::seconds(back)
            }
        }
    }

    /// The earliest step of any script.
    fn start(&self) -> DateTime<Utc> {
        scripts()
            .iter()
            .flat_map(|s| s.steps.iter().map(|(m, _)| self.at(s.era, *m)))
            .min()
            .unwrap_or(self.now)
    }
}

/// The Monday after `date` (the next two-week sprint starts then).
fn next_monday(date: NaiveDate) -> NaiveDate {
    let mut d = date.succ_opt().expect("a date before year 262143");
    while d.weekday() != Weekday::Mon {
        d = d.succ_opt().expect("a date before year 262143");
    }
    d
}

// ------------------------------------------------------------------------------ script

/// The demo users who act in the history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Who {
    Dealer1,
    Dealer2,
    Dealer3,
    Dealer4,
    Specialist,
    Manager,
    Admin,
}

impl Who {
    fn email(self) -> &'static str {
        match self {
            Who::Dealer1 => "dealer1@demo.local",
            Who::Dealer2 => "dealer2@demo.local",
            Who::Dealer3 => "dealer3@demo.local",
            Who::Dealer4 => "dealer4@demo.local",
            Who::Specialist => "specialist@demo.local",
            Who::Manager => "manager@demo.local",
            Who::Admin => "admin@demo.local",
        }
    }
}

/// When an accepted wish is planned.
#[derive(Clone, Copy, Debug)]
enum Plan {
    /// The sprint after the decision.
    AfterDecision,
    /// The sprint starting after today: still to come.
    Upcoming,
}

/// One thing a person (or the scheduler) does.
#[derive(Clone, Debug)]
enum Step {
    File {
        by: Who,
        category: &'static str,
        criticality: &'static str,
        billing: Option<&'static str>,
        title: &'static str,
        text: &'static str,
    },
    Act {
        by: Who,
        action: &'static str,
        comment: Option<&'static str>,
        estimate_minutes: Option<i64>,
    },
    Log {
        minutes: i64,
        note: &'static str,
    },
    Reclassify {
        category: &'static str,
        billing: &'static str,
        reason: &'static str,
    },
    Cost {
        by: Who,
        step: &'static str,
        comment: &'static str,
    },
    Comment {
        by: Who,
        text: &'static str,
    },
    Attach {
        by: Who,
        name: &'static str,
        content_type: &'static str,
        bytes: &'static str,
    },
    AutoAccept,
    Wish {
        by: Who,
        title: &'static str,
        text: &'static str,
    },
    Decide {
        by: Who,
        action: &'static str,
        note: Option<&'static str>,
        reason: Option<&'static str>,
        plan: Option<Plan>,
    },
    /// A website posts a lead with its key, or a dealer types one in (`site: None`).
    Lead {
        site: Option<&'static str>,
        lead: LeadPost,
    },
    /// The dealer answers the card's «Контакт» or «Договор» block.
    Block {
        by: Who,
        block: &'static str,
        outcome: &'static str,
        reason: Option<&'static str>,
        text: Option<&'static str>,
    },
    /// The customer answers the survey letter (sent by the survey run of that moment)
    /// through its link: the public callback page's form.
    Survey {
        answer: &'static str,
        comment: Option<&'static str>,
    },
}

/// What a website's form (or a dealer taking a call) sends for a lead.
#[derive(Clone, Copy, Debug, Default)]
struct LeadPost {
    kind: &'static str,
    name: &'static str,
    surname: &'static str,
    phone: &'static str,
    email: &'static str,
    city: &'static str,
    dealer_id: &'static str,
    model: &'static str,
    source: &'static str,
}

impl LeadPost {
    fn json(&self) -> Value {
        let mut body = json!({"type": self.kind, "name": self.name, "consent": true});
        for (field, value) in [
            ("surname", self.surname),
            ("phone", self.phone),
            ("email", self.email),
            ("city", self.city),
            ("dealer_id", self.dealer_id),
            ("model", self.model),
            ("source", self.source),
        ] {
            if !value.is_empty() {
                body[field] = json!(value);
            }
        }
        body
    }
}

/// The life of one ticket or wish: steps at working minutes before now, oldest first.
#[derive(Clone, Debug)]
struct Script {
    era: Era,
    steps: Vec<(i64, Step)>,
}

impl Script {
    fn ticket(
        era: Era,
        at: i64,
        by: Who,
        (category, criticality, billing): (&'static str, &'static str, Option<&'static str>),
        title: &'static str,
        text: &'static str,
    ) -> Script {
        Script {
            era,
            steps: vec![(
                at,
                Step::File {
                    by,
                    category,
                    criticality,
                    billing,
                    title,
                    text,
                },
            )],
        }
    }

    fn wish(at: i64, by: Who, title: &'static str, text: &'static str) -> Script {
        Script {
            era: Era::Past,
            steps: vec![(at, Step::Wish { by, title, text })],
        }
    }

    /// A lead posted by a site (its demo key), or typed in by a dealer (`site: None`).
    fn lead(at: i64, site: Option<&'static str>, lead: LeadPost) -> Script {
        Script {
            era: Era::Past,
            steps: vec![(at, Step::Lead { site, lead })],
        }
    }

    /// The customer's answer to the survey letter, with an optional comment.
    fn survey(self, at: i64, answer: &'static str, comment: Option<&'static str>) -> Script {
        self.then(at, Step::Survey { answer, comment })
    }

    /// The dealer's answer in the card's block `block` (`contact` or `contract`).
    fn block(
        self,
        at: i64,
        by: Who,
        block: &'static str,
        outcome: &'static str,
        reason: Option<&'static str>,
        text: Option<&'static str>,
    ) -> Script {
        self.then(
            at,
            Step::Block {
                by,
                block,
                outcome,
                reason,
                text,
            },
        )
    }

    fn then(mut self, at: i64, step: Step) -> Script {
        self.steps.push((at, step));
        self
    }

    /// A move of the ticket's lifecycle.
    fn act(self, at: i64, by: Who, action: &'static str, comment: Option<&'static str>) -> Script {
        self.then(
            at,
            Step::Act {
                by,
                action,
                comment,
                estimate_minutes: None,
            },
        )
    }

    /// The specialist sends an estimate of `minutes` for the dealer's approval.
    fn estimate(self, at: i64, minutes: i64, comment: &'static str) -> Script {
        let step = Step::Act {
            by: Who::Specialist,
            action: "send_estimate",
            comment: Some(comment),
            estimate_minutes: Some(minutes),
        };
        self.then(at, step)
    }

    /// The specialist logs time.
    fn log(self, at: i64, minutes: i64, note: &'static str) -> Script {
        self.then(at, Step::Log { minutes, note })
    }

    fn comment(self, at: i64, by: Who, text: &'static str) -> Script {
        self.then(at, Step::Comment { by, text })
    }

    fn cost(self, at: i64, by: Who, step: &'static str, comment: &'static str) -> Script {
        self.then(at, Step::Cost { by, step, comment })
    }

    fn decide(self, at: i64, by: Who, action: &'static str) -> Script {
        self.then(
            at,
            Step::Decide {
                by,
                action,
                note: None,
                reason: None,
                plan: None,
            },
        )
    }
}

const FREE: Option<&str> = Some("free");
const PAID: Option<&str> = Some("paid");

/// The demo network's last weeks. Times are working minutes before "now" (`wt(days,
/// hours, minutes)`); every state and status of SPEC §2.4, paid and free, all three
/// criticalities, all three dealers, every stage of a wish.
fn scripts() -> Vec<Script> {
    use Era::{Billed, Past};
    use Who::{Admin, Dealer1, Dealer2, Dealer3, Manager, Specialist};
    vec![
        // ---- «Новая» / «Принято к рассмотрению»
        Script::ticket(
            Past,
            wt(0, 4, 10),
            Dealer1,
            ("platform_bug", "high", None),
            "Не отправляется форма «Запись на сервис»",
            "С утра клиенты звонят и говорят, что после нажатия «Записаться» форма показывает «Ошибка отправки». \
             Заявки в CRM не приходят. Проверили в Chrome и Safari, на телефоне то же самое.",
        )
        .comment(wt(0, 1, 0), Dealer1, "Есть новости? Клиенты продолжают звонить, записываем по телефону."),
        Script::ticket(
            Past,
            wt(0, 1, 30),
            Dealer2,
            ("central_update", "medium", None),
            "Обновить прайс-лист на Nissan Terrano",
            "В ЦСО опубликован новый прайс-лист на Terrano с первого числа, а на нашем сайте в разделе «Цены» \
             до сих пор старые цены. Просим обновить.",
        ),
        Script::ticket(
            Past,
            wt(0, 3, 0),
            Dealer3,
            ("individual_news", "medium", PAID),
            "Разместить новость «Зимний сервис: проверка автомобиля бесплатно»",
            "Просим разместить новость на главной и в разделе «Новости». Текст приложили файлом, \
             акция действует до конца месяца.",
        )
        .then(
            wt(0, 2, 55),
            Step::Attach {
                by: Dealer3,
                name: "zimniy-servis.txt",
                content_type: "text/plain",
                bytes: "Зимний сервис в Автоцентре Урал\n\nБесплатная проверка 25 пунктов: аккумулятор, \
                        шины, тормоза, антифриз. Запись по телефону или на сайте.\n",
            },
        ),
        Script::ticket(
            Past,
            wt(2, 2, 0),
            Dealer1,
            ("custom_content", "low", FREE),
            "Исправить опечатку в тексте акции на странице Almera",
            "На странице модели Almera в блоке акции написано «выгода до 100 000 руб» без точки и «кредит от 0,1 %» \
             вместо «от 0,01 %». Не срочно, можно бесплатно в порядке очереди.",
        ),
        // ---- «На согласовании» / «Недостаточно информации»
        Script::ticket(
            Past,
            wt(3, 1, 0),
            Dealer1,
            ("hosting", "medium", None),
            "Настроить 301-редиректы со старых адресов страниц моделей",
            "После переезда каталога старые ссылки вида /models/qashqai-2019 отдают 404, а они есть в рекламе \
             и в поиске. Нужно настроить постоянные редиректы на новые страницы.",
        )
        .act(
            wt(3, 0, 20),
            Specialist,
            "ask_info",
            Some(
                "Пришлите, пожалуйста, список старых адресов и куда их вести (таблицей: старый адрес → новый). \
                 Без него не сможем оценить объём работ.",
            ),
        ),
        // ---- «На согласовании» / «Согласование стоимости»
        Script::ticket(
            Past,
            wt(5, 3, 0),
            Dealer1,
            ("custom_section", "medium", None),
            "Создать раздел «Trade-in» с калькулятором выгоды",
            "Хотим отдельный раздел про обмен автомобиля: условия, калькулятор выгоды по таблице скидок и форма \
             заявки на оценку, заявки — в нашу CRM.",
        )
        .estimate(
            wt(4, 6, 0),
            240,
            "Оценка: 4 часа — раздел по шаблону сети, калькулятор по вашей таблице скидок, форма заявки \
             с передачей в CRM. Начнём после согласования стоимости.",
        )
        .comment(wt(1, 2, 0), Dealer1, "Согласовываем бюджет с руководством, ответим до конца недели."),
        // ---- «В работе» / «В стадии решения»
        Script::ticket(
            Past,
            wt(1, 3, 0),
            Dealer2,
            ("feed_errors", "high", None),
            "Из фида АВН пропали автомобили в наличии",
            "После вчерашнего обновления фида из нашей DMS в разделе «Авто в наличии» осталось 12 машин из 140. \
             Фид забирается по той же ссылке, что и раньше.",
        )
        .act(wt(1, 2, 20), Specialist, "take", None)
        .log(wt(1, 2, 0), 25, "Проверили фид: у 128 позиций пустой VIN, импорт их пропускает")
        .act(
            wt(1, 1, 50),
            Specialist,
            "ask_info",
            Some(
                "В фиде у 128 автомобилей пустой тег <vin>. Выгрузка из DMS менялась? Пришлите, пожалуйста, \
                 пример файла, который DMS формирует сейчас.",
            ),
        )
        .then(
            wt(0, 1, 40),
            Step::Attach {
                by: Dealer2,
                name: "avn-feed-sample.csv",
                content_type: "text/csv",
                bytes: "vin_code;model;complectation;price;color\n\
                        Z8NFAAJ11U0000001;Qashqai;SE+;2890000;белый\n\
                        Z8NFAAJ11U0000002;X-Trail;LE;3650000;серый\n",
            },
        )
        .act(
            wt(0, 1, 30),
            Dealer2,
            "answer",
            Some("Да, подрядчик вчера обновил DMS. Пример нового файла приложили."),
        )
        .log(wt(0, 0, 50), 35, "Разобрали новый формат: VIN теперь в теге vin_code, настраиваем сопоставление полей")
        .comment(
            wt(0, 0, 45),
            Specialist,
            "Причина найдена: DMS после обновления пишет VIN в новый тег. Настраиваем импорт под новый формат, \
             сегодня машины вернутся на сайт.",
        ),
        Script::ticket(
            Past,
            wt(8, 2, 0),
            Dealer3,
            ("meta_tags", "low", None),
            "Прописать title и description для страниц моделей",
            "SEO-подрядчик прислал семантику для 14 страниц моделей (во вложении письма менеджеру). \
             Нужно прописать title и description.",
        )
        .estimate(wt(7, 6, 0), 120, "Оценка: 2 часа — title и description для 14 страниц моделей по вашей семантике.")
        .act(wt(1, 2, 0), Dealer3, "approve_estimate", Some("Согласовано, семантику менеджер переслал."))
        .log(wt(0, 6, 0), 60, "Прописали title и description для 7 страниц моделей из 14")
        .comment(wt(0, 5, 55), Specialist, "Половина страниц готова, остальные сделаем до конца недели."),
        Script::ticket(
            Past,
            wt(0, 5, 0),
            Dealer1,
            ("platform_bug", "high", None),
            "После обновления ЦСО не отображаются комплектации X-Trail",
            "На странице X-Trail в конфигураторе пустой список комплектаций, цены не считаются. \
             Вчера вечером прошло обновление ЦСО.",
        )
        .act(wt(0, 4, 20), Specialist, "take", None)
        .comment(
            wt(0, 4, 10),
            Specialist,
            "Воспроизвели: после обновления ЦСО у X-Trail сменились коды комплектаций. Исправляем на стороне \
             платформы, для вас бесплатно.",
        )
        .log(wt(0, 3, 40), 30, "Диагностика: сверили коды комплектаций ЦСО и конфигуратора"),
        // ---- «На проверке клиентом» / «Результат на проверке»
        Script::ticket(
            Past,
            wt(0, 7, 0),
            Dealer1,
            ("individual_news", "high", None),
            "Разместить новость о дне открытых дверей в субботу",
            "Разместите, пожалуйста, новость о дне открытых дверей на главной странице и в разделе «Новости»: \
             тест-драйвы, подарки, специальные условия по кредиту.",
        )
        .act(wt(0, 6, 40), Specialist, "take", None)
        .log(wt(0, 6, 20), 10, "Разместили новость на главной и в разделе «Новости»")
        .act(
            wt(0, 6, 15),
            Specialist,
            "send_for_review",
            Some("Новость опубликована на главной и в разделе «Новости». Проверьте, пожалуйста."),
        ),
        Script::ticket(
            Past,
            wt(2, 3, 0),
            Dealer3,
            ("goals_events", "medium", None),
            "Настроить цели Яндекс Метрики на формы тест-драйва и кредита",
            "Маркетолог просит видеть в Метрике отправки форм «Тест-драйв» и «Кредит» как отдельные цели.",
        )
        .act(wt(2, 2, 0), Specialist, "take", None)
        .log(wt(0, 3, 0), 45, "Создали две цели в Метрике, добавили отправку событий из форм")
        .act(
            wt(0, 2, 30),
            Specialist,
            "send_for_review",
            Some("Цели «Тест-драйв» и «Кредит» настроены. Данные появятся в отчёте «Конверсии» через сутки."),
        ),
        // ---- «Завершена» / «Успешно решено», free
        Script::ticket(
            Past,
            wt(16, 2, 0),
            Dealer2,
            ("central_update", "medium", None),
            "Обновить каталог аксессуаров из ЦСО",
            "В ЦСО добавили зимние аксессуары, а в нашем каталоге их нет.",
        )
        .act(wt(16, 1, 0), Specialist, "take", None)
        .log(wt(15, 8, 0), 20, "Запустили загрузку каталога аксессуаров из ЦСО")
        .act(wt(15, 7, 30), Specialist, "send_for_review", Some("Каталог обновлён, зимние аксессуары на сайте."))
        // Nobody answered for three working days: the system accepted the result.
        .then(wt(11, 2, 0), Step::AutoAccept),
        Script::ticket(
            Past,
            wt(20, 5, 0),
            Dealer2,
            ("consultation", "low", None),
            "Как выгрузить заявки с сайта в Excel?",
            "Отдел продаж хочет раз в неделю получать список заявок с сайта. Можно ли выгрузить их в Excel?",
        )
        .act(wt(19, 3, 0), Specialist, "take", None)
        .comment(
            wt(19, 2, 50),
            Specialist,
            "В модуле «Заявки» откройте фильтр по датам и нажмите «Экспорт» — файл откроется в Excel. \
             Выгрузку можно поставить по расписанию на почту отдела продаж.",
        )
        .log(wt(19, 2, 45), 10, "Консультация по выгрузке заявок")
        .act(wt(19, 2, 40), Specialist, "send_for_review", Some("Ответили в комментарии."))
        .act(wt(19, 1, 0), Dealer2, "accept", None)
        .comment(wt(19, 0, 55), Dealer2, "Спасибо, получилось!"),
        Script::ticket(
            Past,
            wt(25, 4, 0),
            Dealer1,
            ("central_update", "medium", None),
            "Ошибка в центральной новости о сервисной кампании",
            "В новости сети о сервисной кампании указан неверный телефон горячей линии бренда.",
        )
        .act(wt(25, 3, 30), Specialist, "take", None)
        .log(wt(25, 3, 0), 15, "Исправили телефон в центральной новости, обновили на сайтах сети")
        .act(wt(25, 2, 50), Specialist, "send_for_review", Some("Телефон исправлен на всех сайтах сети."))
        .act(wt(24, 8, 0), Dealer1, "accept", None),
        Script::ticket(
            Past,
            wt(30, 6, 0),
            Dealer3,
            ("platform_bug", "high", None),
            "Не приходят письма с формы «Кредит»",
            "Третий день не получаем заявки с формы «Кредит», хотя клиенты говорят, что отправляли.",
        )
        .act(wt(30, 5, 30), Specialist, "take", None)
        .act(
            wt(30, 5, 0),
            Specialist,
            "ask_info",
            Some("На какой адрес должны приходить заявки? В настройках формы сейчас пустое поле получателя."),
        )
        .act(wt(30, 3, 0), Dealer3, "answer", Some("credit@avtocentr-ural.ru, копию — руководителю отдела кредитования."))
        .log(wt(30, 2, 0), 40, "Восстановили получателей формы после сбоя обновления модуля")
        .act(wt(30, 1, 30), Specialist, "send_for_review", Some("Получатели восстановлены, тестовая заявка дошла."))
        .act(wt(29, 7, 0), Dealer3, "return", Some("Письма приходят, но без телефона клиента."))
        .log(wt(29, 5, 0), 20, "Вернули поле телефона в шаблон письма")
        .act(wt(29, 4, 30), Specialist, "send_for_review", Some("Телефон клиента теперь в письме."))
        .act(wt(29, 2, 0), Dealer3, "accept", None),
        Script::ticket(
            Past,
            wt(35, 3, 0),
            Dealer1,
            ("documents", "low", None),
            "Закрывающие документы за прошлый квартал",
            "Бухгалтерия не нашла акт за прошлый квартал. Пришлите, пожалуйста, ещё раз.",
        )
        .act(wt(34, 8, 0), Specialist, "take", None)
        .comment(wt(34, 7, 0), Specialist, "Акт и счёт-фактура отправлены повторно на адрес бухгалтерии из договора.")
        .act(wt(34, 6, 50), Specialist, "send_for_review", Some("Документы отправлены."))
        .act(wt(34, 3, 0), Dealer1, "accept", None),
        // ---- «Завершена» / «Не представляется возможным решить»
        Script::ticket(
            Past,
            wt(28, 4, 0),
            Dealer2,
            ("site_migration", "medium", None),
            "Перенести сайт на собственный хостинг дилера",
            "Руководство хочет держать сайт на своём сервере. Что для этого нужно и сколько это стоит?",
        )
        .estimate(
            wt(27, 8, 0),
            960,
            "Оценка: 16 часов — развёртывание на вашем сервере, перенос данных и файлов, настройка обновлений ЦСО \
             и проверка всех форм.",
        )
        .act(wt(26, 4, 0), Dealer2, "reject_estimate", Some("Дорого, решили остаться в облаке платформы."))
        .comment(wt(26, 3, 0), Manager, "Павел, облако платформы входит в подписку, переезд не нужен. Спасибо за ответ!"),
        Script::ticket(
            Past,
            wt(22, 5, 0),
            Dealer3,
            ("other", "medium", None),
            "Вывести на сайт остатки склада запчастей из 1С",
            "Хотим, чтобы клиенты видели на сайте наличие запчастей. Склад ведём в 1С.",
        )
        .act(wt(22, 3, 0), Specialist, "take", None)
        .act(wt(22, 2, 0), Specialist, "ask_info", Some("Какая конфигурация 1С и есть ли у неё выгрузка остатков в файл?"))
        .act(wt(21, 6, 0), Dealer3, "answer", Some("1С:Управление автосервисом, выгрузки в файл нет."))
        .act(
            wt(21, 2, 0),
            Specialist,
            "declare_impossible",
            Some(
                "Платформа не подключается к 1С напрямую, а выгрузки остатков в вашей конфигурации нет. \
                 Когда появится выгрузка в формате YML или CSV, подключим её за одно обращение.",
            ),
        ),
        // ---- Paid work finished this billing period: costs confirmed, awaiting, disputed
        Script::ticket(
            Billed,
            wt(6, 5, 0),
            Dealer1,
            ("individual_news", "medium", None),
            "Разместить акцию «Выгода на Qashqai до 300 000 ₽»",
            "Разместите акцию на главной, в разделе «Спецпредложения» и на странице модели Qashqai.",
        )
        .act(wt(6, 4, 30), Specialist, "take", None)
        .log(wt(6, 4, 0), 20, "Разместили акцию на главной, в «Спецпредложениях» и на странице Qashqai")
        .act(wt(6, 3, 50), Specialist, "send_for_review", Some("Акция размещена."))
        .act(wt(6, 1, 0), Dealer1, "accept", None)
        .cost(wt(5, 8, 0), Dealer1, "confirm", ""),
        Script::ticket(
            Billed,
            wt(6, 2, 0),
            Dealer2,
            ("platform_bug", "high", None),
            "Сайт не открывается после установки онлайн-чата",
            "Сегодня подрядчик поставил нам онлайн-чат, и через час сайт перестал открываться — белая страница.",
        )
        .act(wt(6, 1, 40), Specialist, "take", None)
        .comment(
            wt(6, 1, 10),
            Specialist,
            "Сайт снова работает: отключили скрипт онлайн-чата, который ваш подрядчик вставил в шаблон сайта.",
        )
        .then(
            wt(6, 1, 0),
            Step::Reclassify {
                category: "dealer_side_bug",
                billing: "paid",
                reason: "Сбой вызвал скрипт онлайн-чата, который подрядчик дилера вставил в шаблон сайта: \
                         это ошибка на стороне дилера, работа платная.",
            },
        )
        .log(wt(6, 0, 50), 50, "Нашли конфликтующий скрипт, восстановили шаблон из копии, проверили формы")
        .act(wt(6, 0, 40), Specialist, "send_for_review", Some("Сайт восстановлен, формы работают."))
        .act(wt(5, 6, 0), Dealer2, "accept", None)
        .cost(wt(4, 5, 0), Dealer2, "dispute", "Почему 50 минут? Сначала нам сказали, что это ошибка платформы.")
        .cost(
            wt(3, 7, 0),
            Specialist,
            "answer",
            "50 минут: поиск скрипта в шаблоне — 20, восстановление шаблона из резервной копии — 15, \
             проверка всех форм — 15. Скрипт вставлен учётной записью вашего подрядчика, это видно в журнале изменений.",
        ),
        Script::ticket(
            Billed,
            wt(5, 6, 0),
            Dealer3,
            ("code_placement", "low", None),
            "Установить код пикселя VK Рекламы на все страницы",
            "Агентство прислало код пикселя VK Рекламы, нужно поставить его на все страницы сайта.",
        )
        .act(wt(5, 4, 0), Specialist, "take", None)
        .log(wt(5, 3, 30), 15, "Установили код пикселя в общий шаблон сайта")
        .act(wt(5, 3, 20), Specialist, "send_for_review", Some("Пиксель установлен, события приходят."))
        .act(wt(5, 1, 0), Dealer3, "accept", None)
        .cost(wt(1, 4, 0), Dealer3, "confirm", ""),
        Script::ticket(
            Billed,
            wt(4, 8, 0),
            Dealer1,
            ("custom_content", "medium", None),
            "Заменить фотографии и текст на странице «О компании»",
            "Обновили фотографии шоурума и команды, текст и контакты руководителей — всё в архиве у менеджера.",
        )
        .act(wt(4, 7, 0), Specialist, "take", None)
        .log(wt(4, 4, 0), 45, "Заменили 6 фотографий, обновили текст и контакты руководителей")
        .act(wt(4, 3, 50), Specialist, "send_for_review", Some("Страница обновлена."))
        .act(wt(3, 8, 0), Dealer1, "accept", None)
        .comment(wt(3, 7, 55), Dealer1, "Всё отлично, спасибо!"),
        Script::ticket(
            Billed,
            wt(3, 6, 0),
            Dealer2,
            ("feed_errors", "medium", None),
            "Ошибки в фиде АСП: не отображаются автомобили с пробегом",
            "Из 35 автомобилей с пробегом на сайте видно 20. Фид формирует наша учётная система.",
        )
        .act(wt(3, 5, 0), Specialist, "take", None)
        .log(wt(3, 2, 0), 40, "Нашли 15 позиций с пробегом в неверном формате и без фото, описали исправления")
        .act(wt(3, 1, 50), Specialist, "send_for_review", Some("Исправили импорт, все 35 автомобилей на сайте."))
        .act(wt(2, 7, 0), Dealer2, "accept", None)
        .cost(wt(0, 5, 30), Dealer2, "dispute", "В прошлый раз похожая правка фида заняла 15 минут. Почему теперь 40?"),
        Script::ticket(
            Billed,
            wt(2, 6, 0),
            Dealer1,
            ("individual_news", "medium", None),
            "Разместить новость о старте продаж нового Nissan Qashqai",
            "Разместите, пожалуйста, новость о старте продаж с фотографиями из пресс-релиза бренда.",
        )
        .act(wt(2, 5, 30), Specialist, "take", None)
        .log(wt(2, 4, 0), 30, "Разместили новость с галереей из пресс-релиза")
        .act(wt(2, 3, 50), Specialist, "send_for_review", Some("Новость опубликована."))
        .act(wt(1, 6, 0), Dealer1, "accept", None)
        .cost(wt(1, 1, 0), Dealer1, "confirm", ""),
        // ---- Wishes: every stage
        Script::wish(
            wt(0, 3, 20),
            Dealer2,
            "Уведомления о статусе обращений в Telegram",
            "Сотрудники редко читают почту, а в Telegram сидят все. Хотим получать смену статуса обращения в чат.",
        ),
        Script::wish(
            wt(4, 2, 0),
            Dealer1,
            "Фильтр обращений по категории и критичности",
            "Обращений стало много, хотим в списке отфильтровать, например, только платные высокой критичности.",
        )
        .then(
            wt(3, 5, 0),
            Step::Decide {
                by: Manager,
                action: "review",
                note: Some("Такой фильтр нужен и Автоцентру Юг. Соберу требования и передам в разработку."),
                reason: None,
                plan: None,
            },
        ),
        Script::wish(
            wt(7, 4, 0),
            Dealer2,
            "Шаблоны типовых обращений: новость, акция, баннер",
            "Каждый раз пишем одно и то же. Хотим выбирать шаблон, и чтобы тема и категория подставлялись сами.",
        )
        .decide(wt(6, 6, 0), Manager, "review")
        .decide(wt(5, 3, 0), Manager, "send_to_development"),
        Script::wish(
            wt(15, 3, 0),
            Dealer1,
            "Выгрузка обращений и их стоимости за квартал в Excel",
            "Бухгалтерии нужен список обращений за квартал со стоимостью, чтобы сверять закрывающие документы.",
        )
        .decide(wt(14, 5, 0), Manager, "review")
        .decide(wt(13, 2, 0), Manager, "send_to_development")
        .then(
            wt(10, 4, 0),
            Step::Decide { by: Admin, action: "accept", note: None, reason: None, plan: Some(Plan::Upcoming) },
        ),
        Script::wish(
            wt(20, 2, 0),
            Dealer2,
            "Собственный дизайн карточки автомобиля",
            "Хотим, чтобы карточка автомобиля на нашем сайте выглядела иначе, чем у других дилеров сети.",
        )
        .decide(wt(19, 4, 0), Manager, "review")
        .decide(wt(18, 6, 0), Manager, "send_to_development")
        .then(
            wt(16, 3, 0),
            Step::Decide {
                by: Admin,
                action: "reject",
                note: None,
                reason: Some(
                    "Карточка автомобиля едина для всех сайтов сети по брендбуку; свой дизайн нарушит требования \
                     бренда. Отдельный раздел можно заказать обращением «Создание индивидуальных разделов».",
                ),
                plan: None,
            },
        ),
        Script::wish(
            wt(12, 6, 0),
            Dealer1,
            "Чат с клиентами сайта прямо в портале",
            "Хотим отвечать посетителям сайта из портала DealerDesk, а не из отдельной программы.",
        )
        .decide(wt(12, 2, 0), Manager, "review")
        .decide(wt(11, 5, 0), Manager, "send_to_development")
        .then(
            wt(10, 3, 0),
            Step::Decide {
                by: Admin,
                action: "reject",
                note: None,
                reason: Some(
                    "Онлайн-чат уже есть в модуле «Обратная связь» вашего сайта, у него своё приложение для \
                     менеджеров. Портал DealerDesk — для работы с платформой, переписку с клиентами он не ведёт.",
                ),
                plan: None,
            },
        ),
        Script::wish(
            wt(38, 3, 0),
            Dealer1,
            "Показывать срок реакции в карточке обращения",
            "Хотим видеть, до какого времени специалист должен ответить, прямо в карточке обращения.",
        )
        .decide(wt(37, 6, 0), Manager, "review")
        .decide(wt(37, 2, 0), Manager, "send_to_development")
        .then(
            wt(36, 3, 0),
            Step::Decide { by: Admin, action: "accept", note: None, reason: None, plan: Some(Plan::AfterDecision) },
        )
        .decide(wt(12, 4, 0), Admin, "implement"),
    ]
    .into_iter()
    .chain(previous_quarter_scripts())
    .chain(lead_scripts())
    .collect()
}

/// The quarter before: paid work of every demo dealer finished and confirmed in the
/// previous billing period, so the bill of the quarter just ended (`dealerdesk bill`) has
/// work on it. Times are working minutes before the current period began. «Автоцентр
/// Юг» goes past its 15-hour package with work of two criticalities, «Автоцентр Урал» has
/// no package, so both bills carry overage lines; the others stay inside theirs.
fn previous_quarter_scripts() -> Vec<Script> {
    use Era::Previous;
    use Who::{Dealer1, Dealer2, Dealer3, Dealer4, Specialist};
    vec![
        Script::ticket(
            Previous,
            wt(28, 3, 0),
            Dealer2,
            ("custom_section", "medium", None),
            "Перенести раздел «Авто с пробегом» на новый шаблон сети",
            "Сеть выпустила новый шаблон раздела автомобилей с пробегом. Просим перенести наш раздел: \
             фильтры, карточки, форма заявки на выкуп.",
        )
        .estimate(
            wt(28, 1, 0),
            780,
            "Оценка: 13 часов — перенос фильтров и карточек, настройка формы выкупа и проверка на телефоне.",
        )
        .act(wt(27, 6, 0), Dealer2, "approve_estimate", Some("Согласовано."))
        .log(wt(26, 2, 0), 480, "Перенесли фильтры и карточки автомобилей на новый шаблон")
        .log(wt(24, 5, 0), 300, "Форма заявки на выкуп, проверка раздела на телефонах")
        .act(wt(24, 4, 0), Specialist, "send_for_review", Some("Раздел работает на новом шаблоне."))
        .act(wt(23, 2, 0), Dealer2, "accept", None)
        .cost(wt(22, 6, 0), Dealer2, "confirm", ""),
        Script::ticket(
            Previous,
            wt(19, 7, 0),
            Dealer2,
            ("dealer_side_bug", "high", None),
            "Не отправляются заявки на кредит после правок нашего программиста",
            "Наш программист поменял скрипт формы кредитной заявки, и теперь заявки не доходят до банка.",
        )
        .act(wt(19, 6, 30), Specialist, "take", None)
        .log(wt(19, 2, 0), 180, "Откатили правки скрипта формы, восстановили отправку в банк и проверили заявки")
        .act(wt(19, 1, 50), Specialist, "send_for_review", Some("Заявки снова уходят в банк."))
        .act(wt(18, 5, 0), Dealer2, "accept", None)
        .cost(wt(17, 3, 0), Dealer2, "confirm", ""),
        Script::ticket(
            Previous,
            wt(26, 5, 0),
            Dealer1,
            ("custom_section", "medium", None),
            "Сделать лендинг акции «Летний сервис»",
            "Нужна отдельная страница акции: условия, таблица цен на ТО, форма записи на сервис.",
        )
        .act(wt(26, 4, 0), Specialist, "take", None)
        .log(wt(25, 3, 0), 240, "Свёрстали страницу акции и таблицу цен на ТО")
        .log(wt(24, 6, 0), 180, "Форма записи на сервис с передачей в CRM, проверка на телефоне")
        .act(wt(24, 5, 30), Specialist, "send_for_review", Some("Лендинг опубликован."))
        .act(wt(23, 7, 0), Dealer1, "accept", None)
        .cost(wt(21, 4, 0), Dealer1, "confirm", ""),
        Script::ticket(
            Previous,
            wt(12, 4, 0),
            Dealer1,
            ("code_placement", "high", None),
            "Подключить виджет онлайн-записи на ТО",
            "Подрядчик по записи на сервис прислал код виджета, нужен на всех страницах раздела «Сервис».",
        )
        .act(wt(12, 3, 40), Specialist, "take", None)
        .log(wt(12, 2, 0), 90, "Установили виджет в шаблон раздела «Сервис», проверили запись")
        .act(wt(12, 1, 50), Specialist, "send_for_review", Some("Виджет работает."))
        .act(wt(11, 6, 0), Dealer1, "accept", None)
        .cost(wt(10, 2, 0), Dealer1, "confirm", ""),
        Script::ticket(
            Previous,
            wt(16, 2, 0),
            Dealer3,
            ("individual_news", "low", None),
            "Разместить баннеры акции «Шины в подарок»",
            "Баннеры для главной и раздела «Спецпредложения» во вложении письма менеджеру.",
        )
        .act(wt(16, 1, 0), Specialist, "take", None)
        .log(wt(15, 6, 0), 40, "Разместили баннеры на главной и в «Спецпредложениях»")
        .act(wt(15, 5, 50), Specialist, "send_for_review", Some("Баннеры на сайте."))
        .act(wt(15, 2, 0), Dealer3, "accept", None)
        .cost(wt(14, 4, 0), Dealer3, "confirm", ""),
        Script::ticket(
            Previous,
            wt(9, 6, 0),
            Dealer3,
            ("goals_events", "medium", None),
            "Настроить цели Яндекс Метрики на формы заявок",
            "Агентство просит цели на отправку всех форм: тест-драйв, кредит, запись на сервис.",
        )
        .act(wt(9, 5, 0), Specialist, "take", None)
        .log(wt(9, 1, 0), 120, "Настроили цели на отправку шести форм и проверили их в Метрике")
        .act(wt(9, 0, 50), Specialist, "send_for_review", Some("Цели настроены, события приходят."))
        .act(wt(8, 3, 0), Dealer3, "accept", None)
        .cost(wt(6, 5, 0), Dealer3, "confirm", ""),
        Script::ticket(
            Previous,
            wt(21, 3, 0),
            Dealer4,
            ("custom_content", "medium", None),
            "Обновить раздел «Аксессуары» к сезонной распродаже",
            "Новые цены и фотографии 40 позиций аксессуаров, таблица во вложении письма менеджеру.",
        )
        .act(wt(21, 2, 0), Specialist, "take", None)
        .log(wt(20, 4, 0), 300, "Обновили цены и фотографии 40 позиций раздела «Аксессуары»")
        .act(wt(20, 3, 50), Specialist, "send_for_review", Some("Раздел обновлён."))
        .act(wt(19, 5, 0), Dealer4, "accept", None)
        .cost(wt(18, 2, 0), Dealer4, "confirm", ""),
    ]
}

/// The network's leads of the last days (SPEC §4): posted by the dealers' and the brand's
/// sites with their demo keys and typed in by a dealer, in every status of the card, one
/// person with leads at two dealers (one customer profile), fresh ones still «Новый» and
/// some old enough for the escalations; four customers answer the survey (two unhappy), so
/// every lead report has something to show.
fn lead_scripts() -> Vec<Script> {
    use Who::{Dealer1, Dealer2, Dealer3, Dealer4};
    let lead = LeadPost::default;
    vec![
        Script::lead(
            wt(4, 2, 0),
            Some("demo-site-1"),
            LeadPost {
                kind: "preorder",
                name: "Иван",
                surname: "Петров",
                phone: "+7 912 345-67-01",
                email: "ivan.petrov@example.ru",
                city: "Москва",
                model: "Nissan X-Trail",
                ..lead()
            },
        )
        .block(wt(4, 1, 0), Dealer1, "contact", "yes", None, None)
        .survey(
            wt(3, 0, 0),
            "happy",
            Some("Перезвонили через час, всё рассказали про X-Trail"),
        )
        .block(wt(2, 3, 0), Dealer1, "contract", "yes", None, None),
        Script::lead(
            wt(1, 0, 0),
            Some("demo-brand-site"),
            LeadPost {
                kind: "service",
                name: "Иван",
                surname: "Петров",
                phone: "8 (912) 345-67-01",
                city: "Краснодар",
                model: "Nissan X-Trail",
                ..lead()
            },
        ),
        Script::lead(
            wt(0, 3, 0),
            Some("demo-site-1"),
            LeadPost {
                kind: "test_drive",
                name: "Ольга",
                surname: "Смирнова",
                phone: "8 (916) 222-33-44",
                email: "olga.smirnova@example.ru",
                city: "Москва",
                model: "Nissan Qashqai",
                ..lead()
            },
        ),
        Script::lead(
            wt(1, 5, 0),
            Some("demo-site-1"),
            LeadPost {
                kind: "credit",
                name: "Павел",
                surname: "Кузнецов",
                phone: "9261112233",
                model: "Nissan Qashqai",
                ..lead()
            },
        )
        .block(
            wt(1, 4, 0),
            Dealer1,
            "contact",
            "no",
            Some("no_answer"),
            None,
        ),
        Script::lead(
            wt(0, 5, 0),
            None,
            LeadPost {
                kind: "service",
                name: "Николай",
                surname: "Орлов",
                phone: "+7 903 765-43-21",
                model: "Nissan Terrano",
                source: "phone",
                ..lead()
            },
        )
        .block(wt(0, 4, 50), Dealer1, "contact", "yes", None, None),
        Script::lead(
            wt(3, 0, 0),
            Some("demo-site-2"),
            LeadPost {
                kind: "service",
                name: "Анна",
                surname: "Волкова",
                phone: "+7 918 555-44-33",
                email: "anna.volkova@example.ru",
                city: "Краснодар",
                model: "Nissan Almera",
                ..lead()
            },
        )
        .block(wt(2, 8, 0), Dealer2, "contact", "yes", None, None)
        .survey(
            wt(1, 8, 0),
            "unhappy",
            Some("Записали на сервис только через две недели"),
        ),
        Script::lead(
            wt(2, 1, 0),
            Some("demo-site-2"),
            LeadPost {
                kind: "parts",
                name: "Сергей",
                surname: "Морозов",
                phone: "+79184443322",
                city: "Краснодар",
                ..lead()
            },
        )
        .block(
            wt(2, 0, 30),
            Dealer2,
            "contact",
            "no",
            Some("customer_declined"),
            None,
        ),
        Script::lead(
            wt(0, 2, 0),
            Some("demo-brand-site"),
            LeadPost {
                kind: "callback",
                name: "Игорь",
                surname: "Новиков",
                phone: "+7 961 500-60-70",
                dealer_id: "dealer-2",
                ..lead()
            },
        ),
        Script::lead(
            wt(2, 4, 0),
            Some("demo-brand-site"),
            LeadPost {
                kind: "trade_in",
                name: "Дмитрий",
                surname: "Лебедев",
                phone: "+7 922 123-45-67",
                email: "d.lebedev@example.ru",
                city: "Екатеринбург",
                model: "Nissan Murano",
                ..lead()
            },
        )
        .block(wt(2, 2, 0), Dealer3, "contact", "yes", None, None)
        .block(wt(1, 2, 0), Dealer3, "contract", "no", Some("price"), None)
        .survey(wt(1, 1, 0), "happy", None),
        Script::lead(
            wt(5, 0, 0),
            Some("demo-site-3"),
            LeadPost {
                kind: "accessories",
                name: "Елена",
                surname: "Соколова",
                email: "elena.sokolova@example.ru",
                city: "Екатеринбург",
                ..lead()
            },
        )
        .block(
            wt(4, 7, 0),
            Dealer3,
            "contact",
            "no",
            Some("other"),
            Some("Просила перезвонить после отпуска"),
        )
        .survey(
            wt(3, 8, 0),
            "no_contact",
            Some("Обещали перезвонить после моего отпуска и не перезвонили"),
        ),
        Script::lead(
            wt(0, 6, 0),
            Some("demo-brand-site"),
            LeadPost {
                kind: "preorder",
                name: "Мария",
                surname: "Ким",
                phone: "+7 914 700-11-22",
                email: "maria.kim@example.ru",
                city: "Владивосток",
                model: "Nissan Terrano",
                ..lead()
            },
        ),
        Script::lead(
            wt(1, 2, 0),
            Some("demo-site-4"),
            LeadPost {
                kind: "test_drive",
                name: "Алексей",
                surname: "Пак",
                phone: "+7 924 330-22-11",
                city: "Владивосток",
                model: "Nissan X-Trail",
                ..lead()
            },
        )
        .block(wt(1, 1, 0), Dealer4, "contact", "yes", None, None),
    ]
}

// ------------------------------------------------------------------------------ player

/// The body of an API request.
enum Payload {
    None,
    Json(Value),
    /// A website's server post: JSON with the site's key.
    SiteJson {
        key: &'static str,
        body: Value,
    },
    File {
        name: &'static str,
        content_type: &'static str,
        bytes: &'static str,
    },
    /// A browser's form post (`application/x-www-form-urlencoded`).
    Form(String),
}

/// Plays scripts through the router, keeping the tokens and what each script made.
struct Player {
    app: Router,
    state: AppState,
    /// "Now" at the end of the history: the server's clock when seeding began.
    end: DateTime<Utc>,
    tokens: HashMap<Who, String>,
    report: HistoryReport,
}

/// What a script made so far: the ticket's or wish's id and the version last seen.
#[derive(Default)]
struct Made {
    path: String,
    version: u64,
}

impl Player {
    async fn play(
        &mut self,
        timeline: &Timeline,
        scripts: Vec<Script>,
    ) -> Result<(), HistoryError> {
        let end = timeline.now;
        let mut events: Vec<(DateTime<Utc>, usize, usize)> = scripts
            .iter()
            .enumerate()
            .flat_map(|(s, script)| {
                script
                    .steps
                    .iter()
                    .enumerate()
                    .map(move |(i, (minutes, _))| (timeline.at(script.era, *minutes), s, i))
            })
            .collect();
        events.sort();
        let mut made: Vec<Made> = scripts.iter().map(|_| Made::default()).collect();
        let mut last: Option<DateTime<Utc>> = None;
        for (at, s, i) in events {
            // Letters go out the day of what caused them, so /dev/mail reads like the
            // weeks it tells of (once a day: each run reads the whole outbox).
            let day = |t: DateTime<Utc>| t.with_timezone(&msk()).date_naive();
            if let Some(prev) = last
                && (day(at) != day(prev) || at - prev > Duration::hours(3))
            {
                self.job(Job::Outbox, prev + Duration::minutes(2)).await?;
            }
            self.state.clock.set(at);
            self.step(&scripts[s].steps[i].1, &mut made[s], at).await?;
            last = Some(at);
        }
        // What the scheduler would do at the first tick, so a server started without it
        // looks the same.
        self.state.clock.set(end);
        for job in [
            Job::SlaWatch,
            Job::LeadEscalations,
            Job::LeadSurveys,
            Job::Outbox,
        ] {
            self.job(job, end).await?;
        }
        let tokens: Vec<(Who, String)> = self.tokens.drain().collect();
        for (who, token) in tokens {
            self.send(
                "logout",
                Some(&token),
                Method::DELETE,
                "/api/session",
                Payload::None,
            )
            .await
            .map_err(|e| refused(&format!("logout of {}", who.email()), e))?;
        }
        Ok(())
    }

    async fn job(&mut self, job: Job, at: DateTime<Utc>) -> Result<(), HistoryError> {
        jobs::run(&self.state, job, at)
            .await
            .map(|_| ())
            .map_err(|e| HistoryError::Failed {
                step: format!("job {}", job.code()),
                message: e.to_string(),
            })
    }

    async fn step(
        &mut self,
        step: &Step,
        made: &mut Made,
        at: DateTime<Utc>,
    ) -> Result<(), HistoryError> {
        match step {
            Step::File {
                by,
                category,
                criticality,
                billing,
                title,
                text,
            } => {
                let mut body = json!({"title": title, "text": text, "category": category, "criticality": criticality});
                if let Some(billing) = billing {
                    body["billing"] = json!(billing);
                }
                let ticket = self
                    .call(
                        title,
                        *by,
                        Method::POST,
                        "/api/tickets",
                        Payload::Json(body),
                    )
                    .await?;
                made.path = format!("/api/tickets/{}", ticket["id"].as_str().unwrap_or_default());
                made.version = ticket["version"].as_u64().unwrap_or_default();
                self.report.tickets += 1;
            }
            Step::Act {
                by,
                action,
                comment,
                estimate_minutes,
            } => {
                let mut body = json!({"action": action});
                if let Some(comment) = comment {
                    body["comment"] = json!(comment);
                }
                if let Some(minutes) = estimate_minutes {
                    body["estimate_minutes"] = json!(minutes);
                }
                self.versioned(*by, made, "/actions", body).await?;
            }
            Step::Log { minutes, note } => {
                let body = json!({"minutes": minutes, "note": note});
                self.versioned(Who::Specialist, made, "/time-entries", body)
                    .await?;
            }
            Step::Reclassify {
                category,
                billing,
                reason,
            } => {
                let body = json!({"category": category, "billing": billing, "reason": reason});
                self.versioned(Who::Specialist, made, "/reclassify", body)
                    .await?;
            }
            Step::Cost { by, step, comment } => {
                let body = json!({"comment": comment});
                self.versioned(*by, made, &format!("/cost/{step}"), body)
                    .await?;
            }
            Step::Comment { by, text } => {
                let path = format!("{}/comments", made.path);
                self.call(
                    &path,
                    *by,
                    Method::POST,
                    &path,
                    Payload::Json(json!({"text": text})),
                )
                .await?;
            }
            Step::Attach {
                by,
                name,
                content_type,
                bytes,
            } => {
                let path = format!("{}/attachments", made.path);
                let file = Payload::File {
                    name,
                    content_type,
                    bytes,
                };
                self.call(&path, *by, Method::POST, &path, file).await?;
            }
            Step::AutoAccept => self.job(Job::AutoAccept, at).await?,
            Step::Wish { by, title, text } => {
                let body = json!({"title": title, "text": text});
                let wish = self
                    .call(title, *by, Method::POST, "/api/wishes", Payload::Json(body))
                    .await?;
                made.path = format!("/api/wishes/{}", wish["id"].as_str().unwrap_or_default());
                made.version = wish["version"].as_u64().unwrap_or_default();
                self.report.wishes += 1;
            }
            Step::Decide {
                by,
                action,
                note,
                reason,
                plan,
            } => {
                let mut body = json!({"action": action, "note": note, "reason": reason});
                if let Some(plan) = plan {
                    let today = |t: DateTime<Utc>| t.with_timezone(&msk()).date_naive();
                    let from = match plan {
                        Plan::AfterDecision => next_monday(today(at)),
                        Plan::Upcoming => next_monday(today(self.end)),
                    };
                    let week = from.iso_week();
                    body["sprint"] = json!(format!("Спринт {}-{:02}", week.year(), week.week()));
                    body["planned_from"] = json!(from.to_string());
                    body["planned_to"] = json!((from + Duration::days(13)).to_string());
                }
                self.versioned(*by, made, "/actions", body).await?;
            }
            Step::Lead { site, lead } => {
                let step = format!("lead of {} {}", lead.name, lead.surname);
                let created = match site {
                    Some(key) => {
                        let payload = Payload::SiteJson {
                            key,
                            body: lead.json(),
                        };
                        self.send(&step, None, Method::POST, "/api/leads", payload)
                            .await
                            .map_err(|e| refused(&step, e))?
                    }
                    // A dealer's own entry: the call or visit, by the first dealer.
                    None => {
                        let body = Payload::Json(lead.json());
                        self.call(&step, Who::Dealer1, Method::POST, "/api/leads", body)
                            .await?
                    }
                };
                made.path = format!("/api/leads/{}", created["id"].as_str().unwrap_or_default());
                made.version = 1;
                self.report.leads += 1;
            }
            Step::Block {
                by,
                block,
                outcome,
                reason,
                text,
            } => {
                let path = format!("{}/{block}", made.path);
                let body = json!({"outcome": outcome, "reason": reason, "reason_text": text, "version": made.version});
                let card = self
                    .call(&path, *by, Method::POST, &path, Payload::Json(body))
                    .await?;
                made.version = card["lead"]["version"].as_u64().unwrap_or(made.version);
            }
            Step::Survey { answer, comment } => {
                // The scheduler's survey run mails the letter; its link is the customer's
                // way in (the `survey-callback` route), as on a phone.
                self.job(Job::LeadSurveys, at).await?;
                let id = made.path.trim_start_matches("/api/leads/");
                let link = crate::lead::survey::link(
                    &self.state,
                    &dealerdesk_domain::lead::LeadId::new(id),
                    at,
                );
                let path = link
                    .find("/s/")
                    .map(|i| link[i..].to_owned())
                    .unwrap_or_default();
                let form = serde_urlencoded::to_string([
                    ("answer", *answer),
                    ("comment", comment.unwrap_or_default()),
                ])
                .unwrap_or_default();
                let step = format!("survey answer of {id}");
                self.send(&step, None, Method::POST, &path, Payload::Form(form))
                    .await
                    .map_err(|e| refused(&step, e))?;
                // The answer is a new version of the lead.
                made.version += 1;
            }
        }
        Ok(())
    }

    /// Moves `made` with the version last seen; a job may have moved it meanwhile (the
    /// SLA watch marks tickets), so a stale version is read again and tried once more.
    async fn versioned(
        &mut self,
        by: Who,
        made: &mut Made,
        tail: &str,
        mut body: Value,
    ) -> Result<(), HistoryError> {
        let path = format!("{}{tail}", made.path);
        for attempt in 0..2 {
            body["version"] = json!(made.version);
            let token = self.token(by).await?;
            match self
                .send(
                    &path,
                    Some(&token),
                    Method::POST,
                    &path,
                    Payload::Json(body.clone()),
                )
                .await
            {
                Ok(moved) => {
                    made.version = moved["version"].as_u64().unwrap_or(made.version);
                    return Ok(());
                }
                Err((StatusCode::CONFLICT, answer))
                    if attempt == 0 && answer["error"]["code"] == "version_conflict" =>
                {
                    let seen = self
                        .call(
                            &made.path.clone(),
                            by,
                            Method::GET,
                            &made.path.clone(),
                            Payload::None,
                        )
                        .await?;
                    made.version = seen["version"].as_u64().unwrap_or(made.version);
                }
                Err(e) => return Err(refused(&path, e)),
            }
        }
        unreachable!("the second attempt returns")
    }

    /// A request as `by`, which must succeed.
    async fn call(
        &mut self,
        step: &str,
        by: Who,
        method: Method,
        path: &str,
        payload: Payload,
    ) -> Result<Value, HistoryError> {
        let token = self.token(by).await?;
        self.send(step, Some(&token), method, path, payload)
            .await
            .map_err(|e| refused(&format!("{step} ({})", by.email()), e))
    }

    /// `by`'s bearer token; the first use logs in (argon2 is slow in debug builds: once
    /// per user).
    async fn token(&mut self, by: Who) -> Result<String, HistoryError> {
        if let Some(token) = self.tokens.get(&by) {
            return Ok(token.clone());
        }
        let body = json!({"email": by.email(), "password": super::DEMO_PASSWORD});
        let session = self
            .send(
                "login",
                None,
                Method::POST,
                "/api/session",
                Payload::Json(body),
            )
            .await
            .map_err(|e| refused(&format!("login of {}", by.email()), e))?;
        let token = session["token"].as_str().unwrap_or_default().to_string();
        self.tokens.insert(by, token.clone());
        Ok(token)
    }

    /// One request through the router: the JSON answer of a 2xx, or the status and answer.
    async fn send(
        &mut self,
        step: &str,
        token: Option<&str>,
        method: Method,
        path: &str,
        payload: Payload,
    ) -> Result<Value, (StatusCode, Value)> {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = match payload {
            Payload::None => request.body(Body::empty()),
            Payload::Json(body) => request
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string())),
            Payload::SiteJson { key, body } => request
                .header(header::CONTENT_TYPE, "application/json")
                .header("x-site-key", key)
                .body(Body::from(body.to_string())),
            Payload::File {
                name,
                content_type,
                bytes,
            } => request
                .header(header::CONTENT_TYPE, content_type)
                .header("x-file-name", name)
                .body(Body::from(bytes)),
            Payload::Form(body) => request
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body)),
        };
        let transport = |message: String| {
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"transport": message, "step": step}),
            )
        };
        let request = request.map_err(|e| transport(e.to_string()))?;
        self.report.requests += 1;
        let response = self
            .app
            .clone()
            .oneshot(request)
            .await
            .map_err(|e| transport(e.to_string()))?;
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .map_err(|e| transport(e.to_string()))?;
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| json!(String::from_utf8_lossy(&bytes)))
        };
        if status.is_success() {
            Ok(body)
        } else {
            Err((status, body))
        }
    }
}

fn refused(step: &str, (status, body): (StatusCode, Value)) -> HistoryError {
    HistoryError::Refused {
        step: step.to_string(),
        status: status.as_u16(),
        body: body.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn working_time_is_counted_back_over_weekday_office_hours_in_moscow() {
        // Wednesday 2 December 2026, 10:14 MSK.
        let now = utc("2026-12-02T10:14:00+03:00");
        assert_eq!(working_back(now, 0), now);
        assert_eq!(working_back(now, 60), utc("2026-12-02T09:14:00+03:00"));
        assert_eq!(
            working_back(now, wt(0, 4, 10)),
            utc("2026-12-01T15:04:00+03:00")
        );
        // Monday morning: Friday afternoon is the working time before it.
        let monday = utc("2026-11-30T09:30:00+03:00");
        assert_eq!(working_back(monday, 90), utc("2026-11-27T17:00:00+03:00"));
        // At the weekend the last working moment is Friday's close.
        let sunday = utc("2026-11-29T12:00:00+03:00");
        assert_eq!(working_back(sunday, 0), utc("2026-11-27T18:00:00+03:00"));
        assert_eq!(
            working_minutes(working_back(now, wt(3, 2, 0)), now),
            wt(3, 2, 0)
        );
    }

    #[test]
    fn the_billing_period_starts_the_day_after_a_quarters_deadline() {
        let start = |now: &str| billing_period_start(utc(now));
        assert_eq!(
            start("2026-12-02T10:00:00+03:00"),
            utc("2026-09-27T00:00:00+03:00")
        );
        assert_eq!(
            start("2026-12-26T23:59:00+03:00"),
            utc("2026-09-27T00:00:00+03:00")
        );
        assert_eq!(
            start("2026-12-27T00:00:00+03:00"),
            utc("2026-12-27T00:00:00+03:00")
        );
        assert_eq!(
            start("2027-01-10T12:00:00+03:00"),
            utc("2026-12-27T00:00:00+03:00")
        );
        assert_eq!(
            start("2026-03-02T10:00:00+03:00"),
            utc("2025-12-27T00:00:00+03:00")
        );
        assert_eq!(
            start("2026-06-27T08:00:00+03:00"),
            utc("2026-06-27T00:00:00+03:00")
        );
    }

    #[test]
    fn billed_work_lands_inside_the_billing_period_however_recently_it_began() {
        for now in [
            "2026-12-02T10:14:00+03:00",
            "2026-12-28T10:00:00+03:00",
            "2026-12-27T00:05:00+03:00",
            "2026-09-29T16:00:00+03:00",
            "2026-03-02T10:00:00+03:00",
        ] {
            let timeline = Timeline::new(utc(now));
            for script in scripts().iter().filter(|s| s.era == Era::Billed) {
                for (minutes, _) in &script.steps {
                    let at = timeline.at(Era::Billed, *minutes);
                    assert!(
                        at > timeline.period_start && at < timeline.now,
                        "{now}: {minutes} → {at}"
                    );
                }
            }
            assert!(timeline.start() < timeline.now);
        }
    }

    #[test]
    fn the_previous_quarters_work_lands_inside_the_previous_billing_period() {
        for now in [
            "2026-12-02T10:14:00+03:00",
            "2026-12-28T10:00:00+03:00",
            "2026-12-27T00:05:00+03:00",
            "2026-03-02T10:00:00+03:00",
        ] {
            let timeline = Timeline::new(utc(now));
            let previous_start = billing_period_start(timeline.period_start - Duration::seconds(1));
            let previous = scripts();
            let previous: Vec<&Script> =
                previous.iter().filter(|s| s.era == Era::Previous).collect();
            assert_eq!(previous.len(), 7);
            for script in previous {
                for (minutes, _) in &script.steps {
                    let at = timeline.at(Era::Previous, *minutes);
                    assert!(
                        at > previous_start && at < timeline.period_start,
                        "{now}: {minutes} → {at}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_script_runs_forward_in_time_and_billed_ones_fit_their_span() {
        let scripts = scripts();
        for script in &scripts {
            let times: Vec<i64> = script.steps.iter().map(|(m, _)| *m).collect();
            assert!(
                times.windows(2).all(|w| w[0] > w[1]),
                "steps out of order: {times:?}"
            );
            assert!(
                times.iter().all(|m| *m > 0),
                "every step lies before now: {times:?}"
            );
            if script.era == Era::Billed {
                assert!(times[0] <= BILLED_SPAN, "{times:?}");
            }
        }
    }

    #[test]
    fn sprints_start_on_the_monday_after() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(next_monday(d("2026-12-02")), d("2026-12-07"));
        assert_eq!(next_monday(d("2026-12-07")), d("2026-12-14"));
        assert_eq!(next_monday(d("2026-12-06")), d("2026-12-07"));
    }
}
