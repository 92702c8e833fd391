//! The storage conformance suite: one set of cases, run against two independent engines.
//!
//! - **dynoxide**, started in-process (an in-memory database behind its HTTP server on a
//!   loopback port): the engine of local runs.
//! - **moto** (PyPI `moto[server]`), started once per test binary as a child process by
//!   `tests/moto_serial` — moto's server answering one request at a time, because threaded
//!   `moto_server` loses a committed transaction when a concurrent one rolls back: an
//!   independent implementation of the DynamoDB API, so behaviour the store relies on is not
//!   an accident of one engine.
//!
//! Every case gets its own store on a fresh table, so cases run in parallel. A missing
//! `moto_server` fails the moto cases with a message saying how to install it; they are
//! never skipped. `MOTO_SERVER` overrides the command (it takes `-H host -p port`).

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, TimeZone, Utc};
use dealerdesk_domain::{
    Action, Actor, Audience, Billing, Category, Criticality, DealerId, HistoryEvent, NetworkId,
    Notice, Resume, Role, SlaClock, State, Status, Ticket, TicketId, UserId, WorkingCalendar,
};
use dealerdesk_domain::{DayKind, WorkingHours, YearCalendar};
use dealerdesk_store::{
    CalendarRepo, CalendarSource, CalendarYearRecord, CreateOutcome, DealerRecord, DirectoryRepo,
    Entity, Filed, Filing, IdempotencyKey, IdempotentResult, LoginThrottleRepo, NetworkRecord,
    OutboxEntry, OutboxRepo, PageRequest, QueueRepo, SessionRecord, SessionRepo, Store,
    StoreConfig, StoreError, ThrottleKey, TicketRepo, UserRecord, UserRepo, WorkingHoursRecord,
};
use std::collections::HashSet;

/// One case's world: a store on a fresh table, and the engine's address for raw access.
pub struct Ctx {
    store: Store,
    endpoint: String,
}

mod engines {
    use super::Ctx;
    use dealerdesk_store::{Store, StoreConfig};
    use std::io::{Read, Seek, SeekFrom};
    use std::net::{SocketAddr, TcpListener, TcpStream};
    use std::path::PathBuf;
    use std::process::{Child, ChildStdin, Command, Stdio};
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::{Duration, Instant};

    /// The engines the suite runs on.
    #[derive(Clone, Copy, Debug)]
    pub enum Engine {
        Dynoxide,
        Moto,
    }

    /// A store on a fresh, empty table of `engine`, named after the case.
    pub async fn fresh(engine: Engine, case: &str) -> Ctx {
        static SEQ: AtomicU32 = AtomicU32::new(0);
        let endpoint = match engine {
            Engine::Dynoxide => dynoxide_endpoint(),
            Engine::Moto => moto_endpoint(),
        };
        let table = format!(
            "conformance-{case}-{}-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        );
        let store = Store::connect(&StoreConfig::local(endpoint, table))
            .await
            .expect("connect");
        store
            .ensure_table()
            .await
            .expect("ensure_table on a fresh table");
        Ctx {
            store,
            endpoint: endpoint.to_string(),
        }
    }

    /// One dynoxide server for the whole test binary, on its own thread and runtime so it
    /// outlives each test's runtime. It ends with the process.
    fn dynoxide_endpoint() -> &'static str {
        static ENDPOINT: OnceLock<String> = OnceLock::new();
        ENDPOINT.get_or_init(|| {
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::Builder::new()
                .name("dynoxide".into())
                .spawn(move || {
                    let rt = tokio::runtime::Builder::new_multi_thread()
                        .worker_threads(2)
                        .enable_all()
                        .build()
                        .expect("dynoxide runtime");
                    rt.block_on(async move {
                        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                            .await
                            .expect("bind a loopback port for dynoxide");
                        let addr = listener.local_addr().expect("dynoxide address");
                        let db = dynoxide::Database::memory().expect("in-memory dynoxide database");
                        tx.send(format!("http://{addr}"))
                            .expect("hand out the endpoint");
                        dynoxide::server::serve_with_shutdown(listener, db, std::future::pending())
                            .await
                            .expect("dynoxide server");
                    });
                })
                .expect("spawn the dynoxide thread");
            rx.recv().expect("dynoxide started")
        })
    }

    /// A running moto server. Its stdin pipe is the lifeline: the wrapper shell kills
    /// moto when the pipe closes, which the kernel does when this process exits, however
    /// it exits (even SIGKILL), so no moto outlives the tests.
    struct Moto {
        endpoint: String,
        _wrapper: Child,
        _lifeline: ChildStdin,
    }

    /// Runs moto in the background; stops it when stdin (fd 3 here) reaches EOF; exits
    /// with moto's status if moto stops by itself (port taken, crash) so the parent sees it.
    /// `$0` is the moto command, `$1` the port.
    const WRAPPER: &str = r#"
command -v "$0" >/dev/null 2>&1 || { echo "command not found: $0" >&2; exit 127; }
exec 3<&0
"$0" -H 127.0.0.1 -p "$1" 3<&- </dev/null &
moto=$!
( cat <&3 >/dev/null; kill "$moto" 2>/dev/null; sleep 3; kill -9 "$moto" 2>/dev/null ) &
wait "$moto"
"#;

    const MOTO_START_TIMEOUT: Duration = Duration::from_secs(30);

    fn moto_endpoint() -> &'static str {
        static MOTO: OnceLock<Result<Moto, String>> = OnceLock::new();
        match MOTO.get_or_init(start_moto) {
            Ok(moto) => &moto.endpoint,
            Err(message) => panic!("{message}"),
        }
    }

    fn start_moto() -> Result<Moto, String> {
        // moto's own server, answering one request at a time (see the script for why).
        let command = std::env::var("MOTO_SERVER").unwrap_or_else(|_| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/moto_serial").to_string()
        });
        let mut failures = Vec::new();
        // A port picked free may be taken before moto binds it; try a few.
        for _ in 0..3 {
            match start_moto_once(&command) {
                Ok(moto) => return Ok(moto),
                Err(Failure::NotFound(message)) => {
                    return Err(format!(
                        "cannot run the moto conformance cases: {message}.\n\
                         Install moto with `pip install 'moto[server]'` or point MOTO_SERVER \
                         at the moto_server executable."
                    ));
                }
                Err(Failure::Other(message)) => failures.push(message),
            }
        }
        Err(format!(
            "moto_server ({command}) did not start:\n{}",
            failures.join("\n---\n")
        ))
    }

    enum Failure {
        NotFound(String),
        Other(String),
    }

    fn start_moto_once(command: &str) -> Result<Moto, Failure> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| Failure::Other(format!("no free port: {e}")))?
            .port();
        let log_path: PathBuf =
            std::env::temp_dir().join(format!("dealerdesk-moto-{}-{port}.log", std::process::id()));
        let log = std::fs::File::create(&log_path)
            .map_err(|e| Failure::Other(format!("cannot create {}: {e}", log_path.display())))?;
        let log_err = log
            .try_clone()
            .map_err(|e| Failure::Other(format!("cannot share {}: {e}", log_path.display())))?;
        let mut wrapper = Command::new("sh")
            .arg("-c")
            .arg(WRAPPER)
            .arg(command)
            .arg(port.to_string())
            .stdin(Stdio::piped())
            .stdout(log)
            .stderr(log_err)
            .spawn()
            .map_err(|e| Failure::Other(format!("cannot run sh: {e}")))?;
        let lifeline = wrapper
            .stdin
            .take()
            .ok_or_else(|| Failure::Other("no stdin pipe to the moto wrapper".into()))?;
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = wrapper.try_wait() {
                let log = log_tail(&log_path);
                return Err(if status.code() == Some(127) {
                    Failure::NotFound(log.trim().to_string())
                } else {
                    Failure::Other(format!("moto exited with {status}; its log:\n{log}"))
                });
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                // moto keeps writing to the unlinked file; nothing is left behind.
                let _ = std::fs::remove_file(&log_path);
                return Ok(Moto {
                    endpoint: format!("http://{addr}"),
                    _wrapper: wrapper,
                    _lifeline: lifeline,
                });
            }
            if started.elapsed() > MOTO_START_TIMEOUT {
                // Dropping the lifeline stops moto.
                drop(lifeline);
                let _ = wrapper.wait();
                return Err(Failure::Other(format!(
                    "moto did not answer on {addr} within {MOTO_START_TIMEOUT:?}; its log:\n{}",
                    log_tail(&log_path)
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The end of a failed start's log; the file is removed.
    fn log_tail(path: &PathBuf) -> String {
        let mut out = String::new();
        if let Ok(mut f) = std::fs::File::open(path) {
            let len = f.metadata().map(|m| m.len()).unwrap_or(0);
            let _ = f.seek(SeekFrom::Start(len.saturating_sub(4000)));
            let _ = f.read_to_string(&mut out);
        }
        let _ = std::fs::remove_file(path);
        out
    }
}

/// In a file of cases (`conformance/<area>.rs`): runs each listed `async fn <case>(&Ctx)` of
/// that file on both engines, as `<area>::on_dynoxide::<case>` and `<area>::on_moto::<case>`.
macro_rules! engine_suite {
    ($($case:ident),+ $(,)?) => {
        mod on_dynoxide {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let ctx = crate::engines::fresh(crate::engines::Engine::Dynoxide, stringify!($case)).await;
                    super::$case(&ctx).await;
                }
            )+
        }
        mod on_moto {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let ctx = crate::engines::fresh(crate::engines::Engine::Moto, stringify!($case)).await;
                    super::$case(&ctx).await;
                }
            )+
        }
    };
}

/// Runs every listed case on both engines, as `on_dynoxide::<case>` and `on_moto::<case>`.
macro_rules! conformance_suite {
    ($($case:ident),+ $(,)?) => {
        mod on_dynoxide {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let ctx = crate::engines::fresh(crate::engines::Engine::Dynoxide, stringify!($case)).await;
                    crate::cases::$case(&ctx).await;
                }
            )+
        }
        mod on_moto {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let ctx = crate::engines::fresh(crate::engines::Engine::Moto, stringify!($case)).await;
                    crate::cases::$case(&ctx).await;
                }
            )+
        }
    };
}

conformance_suite!(
    a_second_user_with_a_taken_email_already_exists_and_nothing_is_half_written,
    a_stale_version_is_a_conflict_and_changes_nothing,
    of_two_concurrent_moves_exactly_one_wins,
    a_replayed_idempotency_key_creates_nothing_and_names_the_first_ticket,
    a_transaction_with_one_failing_condition_writes_nothing,
    a_retried_move_with_its_key_writes_nothing_even_after_the_ticket_moved_on,
    a_ticket_comes_with_its_own_history_in_order,
    listings_read_the_indexes_and_filter_by_state,
    pages_cover_every_ticket_once_newest_first,
    a_dealers_tickets_are_read_whole_newest_first_and_only_its_own,
    a_filtered_listing_pages_past_non_matching_tickets,
    a_foreign_or_garbled_cursor_is_refused,
    an_expired_or_deleted_session_is_gone,
    failed_logins_are_counted_atomically_restarted_and_cleared,
    a_user_is_found_by_email_in_one_read,
    ticket_numbers_start_at_1001_and_stay_unique_under_concurrency,
    dealers_are_listed_by_name,
    a_corrupt_item_is_reported_as_corrupt,
    ensure_table_is_idempotent,
    round_trips_are_counted,
    a_move_and_its_notices_are_written_together_or_not_at_all,
    a_notice_written_twice_is_stored_once_and_leased_by_one_sender,
    a_failed_notice_waits_for_its_retry_time_and_a_dead_one_leaves_the_queue,
    users_are_found_by_dealer_and_by_role,
    calendar_years_and_hours_are_stored_with_optimistic_locking,
    open_tickets_sit_on_the_queue_index_until_done,
    the_sla_watch_reads_only_tickets_whose_watch_time_has_come,
    tickets_in_review_are_found_by_how_long_they_have_waited,
    // Time and cost: tests/conformance/costs.rs
    time_entries_are_written_with_the_ticket_or_not_at_all,
    a_resolved_paid_ticket_is_completed_work_that_follows_its_corrections,
    open_costs_are_read_by_quarter_and_leave_the_index_when_settled,
    // Review countdown and settings: tests/conformance/review.rs
    a_remark_on_a_result_under_review_stops_the_auto_accept_sweep_until_the_reply,
    settings_are_stored_with_who_changed_them_and_optimistic_locking,
);

// ---------------------------------------------------------------- fixtures

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

fn minutes(n: i64) -> DateTime<Utc> {
    t0() + Duration::minutes(n)
}

fn cal() -> WorkingCalendar {
    WorkingCalendar::platform_default()
}

fn dealer_actor(dealer: &str) -> Actor {
    Actor {
        user_id: UserId::new(format!("user-{dealer}")),
        role: Role::Dealer,
        dealer_id: Some(DealerId::new(dealer)),
    }
}

fn specialist() -> Actor {
    Actor {
        user_id: UserId::new("spec"),
        role: Role::Specialist,
        dealer_id: None,
    }
}

/// A freshly filed ticket of `dealer` and its creation event.
fn filed(id: &str, number: u64, dealer: &str, at: DateTime<Utc>) -> (Ticket, HistoryEvent) {
    let author = dealer_actor(dealer);
    let ticket = Ticket {
        id: TicketId::new(id),
        number,
        dealer_id: DealerId::new(dealer),
        author_id: author.user_id.clone(),
        title: format!("Обращение {id}"),
        text: "Разместить новость об акции".into(),
        category: Category::IndividualNews,
        criticality: Criticality::Medium,
        billing: Billing::Paid,
        status: Status::Accepted,
        created_at: at,
        updated_at: at,
        assignee_id: None,
        status_since: at,
        review: None,
        free_by_choice: false,
        sla: SlaClock::start(&cal(), Criticality::Medium, at),
        version: 1,
        cost: dealerdesk_domain::TicketCost::default(),
        deleted: None,
    };
    let event = HistoryEvent {
        at,
        actor_id: Some(author.user_id),
        actor_role: Some(author.role),
        action: None,
        from: None,
        to: Status::Accepted,
        comment: None,
    };
    (ticket, event)
}

/// Builds `ticket` with `event` and no notices for the number the store gives.
fn numbered<'a>(
    ticket: &'a Ticket,
    event: &'a HistoryEvent,
) -> impl FnMut(u64) -> Filing + Send + 'a {
    move |number| Filing {
        ticket: Ticket {
            number,
            ..ticket.clone()
        },
        event: event.clone(),
        notices: vec![],
    }
}

/// Files `ticket` with `event` and no notices under the number the store gives it; what
/// the store did, as [`CreateOutcome`] (the created ticket is read back where it matters).
async fn create(
    store: &Store,
    ticket: &Ticket,
    event: &HistoryEvent,
    key: Option<&IdempotencyKey>,
) -> Result<CreateOutcome, StoreError> {
    let filed = store.create_ticket(key, numbered(ticket, event)).await?;
    Ok(match filed {
        Filed::Created(_) => CreateOutcome::Created,
        Filed::Replayed(first) => CreateOutcome::Replayed(first),
    })
}

/// Files a ticket without an idempotency key; the ticket as written (with its number).
async fn file(store: &Store, id: &str, dealer: &str, at: DateTime<Utc>) -> Ticket {
    let (ticket, event) = filed(id, 0, dealer, at);
    match store.create_ticket(None, numbered(&ticket, &event)).await {
        Ok(Filed::Created(ticket)) => *ticket,
        other => panic!("filing {id}: {other:?}"),
    }
}

/// Makes `action` and stores it.
async fn moved(
    store: &Store,
    ticket: &Ticket,
    actor: &Actor,
    action: Action,
    at: DateTime<Utc>,
) -> Ticket {
    let (next, event) = ticket
        .apply(actor, action, Some("комментарий"), &cal(), at)
        .expect("legal move");
    store
        .save_move(ticket, &next, &event, &next.notices(&event))
        .await
        .expect("save_move");
    next
}

fn user(id: &str, email: &str) -> UserRecord {
    UserRecord {
        id: UserId::new(id),
        email: email.into(),
        name: "Анна Петрова".into(),
        role: Role::Dealer,
        dealer_id: Some(DealerId::new("d1")),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        created_at: t0(),
    }
}

fn ids(tickets: &[Ticket]) -> Vec<&str> {
    tickets.iter().map(|t| t.id.as_str()).collect()
}

/// A raw client on the same engine, for what the store's API cannot do on purpose.
async fn raw_client(ctx: &Ctx) -> aws_sdk_dynamodb::Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .http_client(dealerdesk_store::aws::http_client())
        .region(aws_sdk_dynamodb::config::Region::new("eu-central-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "local", "local", None, None, "test",
        ))
        .endpoint_url(&ctx.endpoint)
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

// ---------------------------------------------------------------- cases

#[path = "conformance/costs.rs"]
mod cost_cases;
#[path = "conformance/review.rs"]
mod review_cases;

mod cases {
    use super::*;
    pub use crate::cost_cases::*;
    pub use crate::review_cases::*;

    pub async fn a_second_user_with_a_taken_email_already_exists_and_nothing_is_half_written(
        ctx: &Ctx,
    ) {
        let store = &ctx.store;
        let anna = user("u1", "anna@dealer.ru");
        store.create_user(&anna).await.expect("first user");

        // Same e-mail, other spelling: the claim is on the normalised address.
        let other = user("u2", " Anna@Dealer.RU ");
        assert_eq!(
            store.create_user(&other).await,
            Err(StoreError::AlreadyExists)
        );
        assert_eq!(
            store.user(&UserId::new("u2")).await,
            Ok(None),
            "the loser was not written"
        );

        // Same id, new e-mail: refused, and the new e-mail is not claimed either.
        let again = user("u1", "new@dealer.ru");
        assert_eq!(
            store.create_user(&again).await,
            Err(StoreError::AlreadyExists)
        );
        assert_eq!(store.user_by_email("new@dealer.ru").await, Ok(None));

        assert_eq!(
            store.user_by_email("anna@dealer.ru").await,
            Ok(Some(anna.clone()))
        );
        assert_eq!(store.user(&UserId::new("u1")).await, Ok(Some(anna)));
        assert_eq!(store.user_by_email("nobody@dealer.ru").await, Ok(None));
    }

    pub async fn a_stale_version_is_a_conflict_and_changes_nothing(ctx: &Ctx) {
        let store = &ctx.store;
        let v1 = file(store, "t1", "d1", minutes(0)).await;
        let v2 = moved(store, &v1, &specialist(), Action::Take, minutes(1)).await;

        // A second writer still holding version 1 asks for info.
        let (stale, event) = v1
            .apply(
                &specialist(),
                Action::AskInfo,
                Some("Какой раздел?"),
                &cal(),
                minutes(2),
            )
            .unwrap();
        assert_eq!(
            store.save_move(&v1, &stale, &event, &[]).await,
            Err(StoreError::Conflict {
                entity: Entity::Ticket
            })
        );

        let (ticket, history) = store.ticket_with_history(&v1.id).await.unwrap().unwrap();
        assert_eq!(
            ticket, v2,
            "the stored ticket is the one of the winning move"
        );
        assert_eq!(history.len(), 2, "no event of the losing move");
        assert_eq!(history[1].to, Status::InProgress);

        // A move on a ticket that does not exist cannot succeed either.
        let (ghost, _) = filed("ghost", 1, "d1", minutes(0));
        let (ghost2, event2) = ghost
            .apply(&specialist(), Action::Take, None, &cal(), minutes(1))
            .unwrap();
        assert_eq!(
            store.save_move(&ghost, &ghost2, &event2, &[]).await,
            Err(StoreError::Conflict {
                entity: Entity::Ticket
            })
        );
        assert_eq!(store.ticket(&ghost.id).await, Ok(None));
    }

    pub async fn of_two_concurrent_moves_exactly_one_wins(ctx: &Ctx) {
        let store = &ctx.store;
        let v1 = file(store, "t1", "d1", minutes(0)).await;
        let (take, take_event) = v1
            .apply(&specialist(), Action::Take, None, &cal(), minutes(1))
            .unwrap();
        let (ask, ask_event) = v1
            .apply(
                &specialist(),
                Action::AskInfo,
                Some("?"),
                &cal(),
                minutes(1),
            )
            .unwrap();
        let (a, b) = tokio::join!(
            store.save_move(&v1, &take, &take_event, &[]),
            store.save_move(&v1, &ask, &ask_event, &[])
        );
        let outcomes = [a.clone(), b.clone()];
        assert_eq!(
            outcomes.iter().filter(|r| r.is_ok()).count(),
            1,
            "{outcomes:?}"
        );
        assert!(
            outcomes.contains(&Err(StoreError::Conflict {
                entity: Entity::Ticket
            })),
            "{outcomes:?}"
        );

        let (ticket, history) = store.ticket_with_history(&v1.id).await.unwrap().unwrap();
        let winner = if a.is_ok() { take } else { ask };
        assert_eq!(ticket, winner);
        assert_eq!(history.len(), 2);
        assert_eq!(history[1].to, winner.status);
    }

    pub async fn a_replayed_idempotency_key_creates_nothing_and_names_the_first_ticket(ctx: &Ctx) {
        let store = &ctx.store;
        let key = IdempotencyKey {
            user_id: UserId::new("user-d1"),
            key: "form-42".into(),
            fingerprint: "create-a".into(),
        };
        assert_eq!(store.idempotent_result(&key, minutes(0)).await, Ok(None));
        let (first, event) = filed("t1", 1001, "d1", minutes(0));
        assert_eq!(
            create(store, &first, &event, Some(&key)).await,
            Ok(CreateOutcome::Created)
        );

        // The retry got a new id and number before it reached the store.
        let (retry, event) = filed("t2", 1002, "d1", minutes(1));
        assert_eq!(
            create(store, &retry, &event, Some(&key)).await,
            Ok(CreateOutcome::Replayed(IdempotentResult {
                ticket: first.id.clone(),
                fingerprint: "create-a".into()
            }))
        );
        // One read answers a retry before it takes a number; past a day the key is free.
        assert_eq!(
            store.idempotent_result(&key, minutes(1)).await,
            Ok(Some(IdempotentResult {
                ticket: first.id.clone(),
                fingerprint: "create-a".into()
            }))
        );
        assert_eq!(
            store.idempotent_result(&key, minutes(24 * 60 + 1)).await,
            Ok(None)
        );
        assert_eq!(store.ticket(&retry.id).await, Ok(None));
        assert_eq!(
            store.ticket_with_history(&retry.id).await,
            Ok(None),
            "no stray event either"
        );
        let all = store
            .all_tickets(
                None,
                &PageRequest {
                    limit: 10,
                    cursor: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(ids(&all.items), vec!["t1"]);

        // Keys are per user.
        let theirs = IdempotencyKey {
            user_id: UserId::new("user-d2"),
            key: "form-42".into(),
            fingerprint: "create-b".into(),
        };
        let (other, event) = filed("t3", 1003, "d2", minutes(2));
        assert_eq!(
            create(store, &other, &event, Some(&theirs)).await,
            Ok(CreateOutcome::Created)
        );
    }

    pub async fn a_retried_move_with_its_key_writes_nothing_even_after_the_ticket_moved_on(
        ctx: &Ctx,
    ) {
        let store = &ctx.store;
        let t1 = file(store, "t1", "d1", minutes(0)).await;
        let key = IdempotencyKey {
            user_id: UserId::new("spec"),
            key: "take-1".into(),
            fingerprint: "take t1 v1".into(),
        };
        let (taken, event) = t1
            .apply(&specialist(), Action::Take, None, &cal(), minutes(1))
            .unwrap();
        assert_eq!(
            store.save_move_once(&t1, &taken, &event, &[], &key).await,
            Ok(CreateOutcome::Created)
        );
        // Someone moves it on; the lost answer's retry is recognised, not a conflict.
        let asked = moved(store, &taken, &specialist(), Action::AskInfo, minutes(2)).await;
        assert_eq!(
            store.save_move_once(&t1, &taken, &event, &[], &key).await,
            Ok(CreateOutcome::Replayed(IdempotentResult {
                ticket: t1.id.clone(),
                fingerprint: "take t1 v1".into()
            }))
        );
        let (stored, history) = store.ticket_with_history(&t1.id).await.unwrap().unwrap();
        assert_eq!(stored, asked, "the retry wrote nothing");
        assert_eq!(history.len(), 3);
    }

    pub async fn a_transaction_with_one_failing_condition_writes_nothing(ctx: &Ctx) {
        let store = &ctx.store;
        let t1 = file(store, "t1", "d1", minutes(0)).await;

        // Same ticket id again, with a fresh key: the ticket's condition fails, so neither
        // the event nor the idempotency record may be written.
        let key = IdempotencyKey {
            user_id: UserId::new("user-d1"),
            key: "k2".into(),
            fingerprint: "create-c".into(),
        };
        let (dup, event) = filed("t1", 1002, "d1", minutes(5));
        assert_eq!(
            create(store, &dup, &event, Some(&key)).await,
            Err(StoreError::AlreadyExists)
        );
        let (ticket, history) = store.ticket_with_history(&t1.id).await.unwrap().unwrap();
        assert_eq!(ticket, t1);
        assert_eq!(history.len(), 1);

        // The key is still free: it was not written by the cancelled transaction.
        let (fresh, event) = filed("t2", 1003, "d1", minutes(6));
        assert_eq!(
            create(store, &fresh, &event, Some(&key)).await,
            Ok(CreateOutcome::Created)
        );

        // Raw: a transaction whose second item fails leaves the first unwritten.
        let raw = raw_client(ctx).await;
        let put = |pk: &str, condition: Option<&str>| {
            let mut b = aws_sdk_dynamodb::types::Put::builder()
                .table_name(store.table_name())
                .item("pk", s(pk))
                .item("sk", s("RAW"));
            if let Some(c) = condition {
                b = b.condition_expression(c);
            }
            aws_sdk_dynamodb::types::TransactWriteItem::builder()
                .put(b.build().unwrap())
                .build()
        };
        let result = raw
            .transact_write_items()
            .transact_items(put("RAW#a", None))
            .transact_items(put("RAW#b", Some("attribute_exists(pk)")))
            .send()
            .await;
        assert!(result.is_err(), "the condition on an absent item must fail");
        let got = raw
            .get_item()
            .table_name(store.table_name())
            .key("pk", s("RAW#a"))
            .key("sk", s("RAW"))
            .consistent_read(true)
            .send()
            .await
            .unwrap();
        assert_eq!(got.item, None, "all or nothing");
    }

    pub async fn a_ticket_comes_with_its_own_history_in_order(ctx: &Ctx) {
        let store = &ctx.store;
        let spec = specialist();
        let d1 = dealer_actor("d1");
        let t = file(store, "t1", "d1", minutes(0)).await;
        // Two moves in the same millisecond: the history still keeps their order.
        let t = moved(store, &t, &spec, Action::Take, minutes(1)).await;
        let t = moved(store, &t, &spec, Action::AskInfo, minutes(1)).await;
        let t = moved(store, &t, &d1, Action::Answer, minutes(3)).await;
        let other = file(store, "t2", "d1", minutes(0)).await;
        moved(store, &other, &spec, Action::Take, minutes(2)).await;

        let (ticket, history) = store.ticket_with_history(&t.id).await.unwrap().unwrap();
        assert_eq!(ticket, t);
        let walk: Vec<_> = history.iter().map(|e| (e.from, e.to)).collect();
        assert_eq!(
            walk,
            vec![
                (None, Status::Accepted),
                (Some(Status::Accepted), Status::InProgress),
                (
                    Some(Status::InProgress),
                    Status::NeedInfo(Resume::InProgress)
                ),
                (
                    Some(Status::NeedInfo(Resume::InProgress)),
                    Status::InProgress
                ),
            ]
        );
        assert_eq!(history[2].comment.as_deref(), Some("комментарий"));
        assert_eq!(history[3].actor_role, Some(Role::Dealer));
        assert_eq!(store.ticket(&t.id).await, Ok(Some(t)));
        assert_eq!(
            store.ticket_with_history(&TicketId::new("t3")).await,
            Ok(None)
        );
    }

    pub async fn listings_read_the_indexes_and_filter_by_state(ctx: &Ctx) {
        let store = &ctx.store;
        let a = file(store, "a", "d1", minutes(0)).await;
        let b = file(store, "b", "d2", minutes(1)).await;
        let c = file(store, "c", "d1", minutes(2)).await;
        let d = file(store, "d", "d1", minutes(3)).await;
        let e = file(store, "e", "d2", minutes(4)).await;
        let c = moved(store, &c, &specialist(), Action::Take, minutes(5)).await;
        let _ = (&a, &b, &d, &e);

        let page = PageRequest {
            limit: 10,
            cursor: None,
        };
        let mine = store
            .dealer_tickets(&DealerId::new("d1"), None, &page)
            .await
            .unwrap();
        assert_eq!(
            ids(&mine.items),
            vec!["d", "c", "a"],
            "only d1's, newest first"
        );
        assert_eq!(mine.next_cursor, None);
        assert_eq!(mine.items[1], c, "listings carry the current ticket");

        let working = store
            .dealer_tickets(&DealerId::new("d1"), Some(State::InProgress), &page)
            .await
            .unwrap();
        assert_eq!(ids(&working.items), vec!["c"]);
        let new = store
            .dealer_tickets(&DealerId::new("d1"), Some(State::New), &page)
            .await
            .unwrap();
        assert_eq!(ids(&new.items), vec!["d", "a"]);
        let none = store
            .dealer_tickets(&DealerId::new("d3"), None, &page)
            .await
            .unwrap();
        assert!(none.items.is_empty() && none.next_cursor.is_none());

        let all = store.all_tickets(None, &page).await.unwrap();
        assert_eq!(ids(&all.items), vec!["e", "d", "c", "b", "a"]);
        let all_new = store.all_tickets(Some(State::New), &page).await.unwrap();
        assert_eq!(ids(&all_new.items), vec!["e", "d", "b", "a"]);
        let done = store.all_tickets(Some(State::Done), &page).await.unwrap();
        assert!(done.items.is_empty());
    }

    pub async fn a_dealers_tickets_are_read_whole_newest_first_and_only_its_own(ctx: &Ctx) {
        let store = &ctx.store;
        for i in 0..12 {
            let dealer = if i % 3 == 0 { "d2" } else { "d1" };
            file(store, &format!("t{i:02}"), dealer, minutes(i)).await;
        }
        let c = store.ticket(&TicketId::new("t04")).await.unwrap().unwrap();
        let c = moved(store, &c, &specialist(), Action::Take, minutes(20)).await;

        let mine = store
            .every_dealer_ticket(&DealerId::new("d1"))
            .await
            .unwrap();
        assert_eq!(
            ids(&mine),
            vec!["t11", "t10", "t08", "t07", "t05", "t04", "t02", "t01"],
            "every one of d1's, newest first"
        );
        assert_eq!(mine[5], c, "the whole read carries the current ticket");
        assert_eq!(
            store
                .every_dealer_ticket(&DealerId::new("d2"))
                .await
                .unwrap()
                .len(),
            4
        );
        assert!(
            store
                .every_dealer_ticket(&DealerId::new("d3"))
                .await
                .unwrap()
                .is_empty()
        );
    }

    pub async fn pages_cover_every_ticket_once_newest_first(ctx: &Ctx) {
        let store = &ctx.store;
        for i in 0..7 {
            file(store, &format!("t{i}"), "d1", minutes(i)).await;
        }
        let mut seen = Vec::new();
        let mut sizes = Vec::new();
        let mut cursor = None;
        loop {
            let page = store
                .dealer_tickets(
                    &DealerId::new("d1"),
                    None,
                    &PageRequest {
                        limit: 3,
                        cursor: cursor.take(),
                    },
                )
                .await
                .unwrap();
            sizes.push(page.items.len());
            seen.extend(page.items.into_iter().map(|t| t.id.as_str().to_string()));
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
            assert!(sizes.len() < 10, "paging does not end");
        }
        assert_eq!(sizes, vec![3, 3, 1]);
        assert_eq!(seen, vec!["t6", "t5", "t4", "t3", "t2", "t1", "t0"]);

        // The all-tickets listing pages the same way.
        let first = store
            .all_tickets(
                None,
                &PageRequest {
                    limit: 4,
                    cursor: None,
                },
            )
            .await
            .unwrap();
        let rest = store
            .all_tickets(
                None,
                &PageRequest {
                    limit: 4,
                    cursor: first.next_cursor.clone(),
                },
            )
            .await
            .unwrap();
        assert_eq!(ids(&first.items), vec!["t6", "t5", "t4", "t3"]);
        assert_eq!(ids(&rest.items), vec!["t2", "t1", "t0"]);
        assert_eq!(rest.next_cursor, None);

        // A listing that ends on a page boundary hands out no cursor to an empty page.
        let whole = store
            .all_tickets(
                None,
                &PageRequest {
                    limit: 7,
                    cursor: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(whole.items.len(), 7);
        assert_eq!(whole.next_cursor, None);
    }

    pub async fn a_filtered_listing_pages_past_non_matching_tickets(ctx: &Ctx) {
        let store = &ctx.store;
        let mut working = Vec::new();
        for i in 0..6 {
            let t = file(store, &format!("t{i}"), "d1", minutes(i)).await;
            if i % 2 == 0 {
                working.push(moved(store, &t, &specialist(), Action::Take, minutes(10 + i)).await);
            }
        }
        let req = |cursor| PageRequest { limit: 2, cursor };
        let d1 = DealerId::new("d1");
        let first = store
            .dealer_tickets(&d1, Some(State::InProgress), &req(None))
            .await
            .unwrap();
        assert_eq!(ids(&first.items), vec!["t4", "t2"]);
        let second = store
            .dealer_tickets(
                &d1,
                Some(State::InProgress),
                &req(first.next_cursor.clone()),
            )
            .await
            .unwrap();
        assert_eq!(ids(&second.items), vec!["t0"]);
        assert_eq!(second.next_cursor, None);

        // A limit of 0 is clamped to one item, not an engine error.
        let one = store
            .dealer_tickets(
                &d1,
                None,
                &PageRequest {
                    limit: 0,
                    cursor: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(ids(&one.items), vec!["t5"]);
        assert!(one.next_cursor.is_some());
    }

    pub async fn a_foreign_or_garbled_cursor_is_refused(ctx: &Ctx) {
        let store = &ctx.store;
        for i in 0..3 {
            file(store, &format!("t{i}"), "d1", minutes(i)).await;
        }
        let page = store
            .dealer_tickets(
                &DealerId::new("d1"),
                None,
                &PageRequest {
                    limit: 1,
                    cursor: None,
                },
            )
            .await
            .unwrap();
        let cursor = page.next_cursor.expect("more pages");
        let foreign = store
            .dealer_tickets(
                &DealerId::new("d2"),
                None,
                &PageRequest {
                    limit: 1,
                    cursor: Some(cursor.clone()),
                },
            )
            .await;
        assert_eq!(foreign, Err(StoreError::BadCursor));
        let other_listing = store
            .all_tickets(
                None,
                &PageRequest {
                    limit: 1,
                    cursor: Some(cursor),
                },
            )
            .await;
        assert_eq!(other_listing, Err(StoreError::BadCursor));
        let garbled = store
            .all_tickets(
                None,
                &PageRequest {
                    limit: 1,
                    cursor: Some("not-a-cursor".into()),
                },
            )
            .await;
        assert_eq!(garbled, Err(StoreError::BadCursor));
    }

    pub async fn an_expired_or_deleted_session_is_gone(ctx: &Ctx) {
        let store = &ctx.store;
        let session = SessionRecord {
            token_hash: "a1".repeat(32),
            user_id: UserId::new("u1"),
            role: Role::Dealer,
            dealer_id: Some(DealerId::new("d1")),
            csrf: "csrf-token".into(),
            created_at: minutes(0),
            expires_at: minutes(60),
        };
        store.put_session(&session).await.unwrap();
        assert_eq!(
            store.session(&session.token_hash, minutes(59)).await,
            Ok(Some(session.clone()))
        );
        assert_eq!(
            store.session(&session.token_hash, minutes(60)).await,
            Ok(None),
            "expired"
        );
        assert_eq!(store.session(&"ff".repeat(32), minutes(0)).await, Ok(None));

        store.delete_session(&session.token_hash).await.unwrap();
        assert_eq!(
            store.session(&session.token_hash, minutes(1)).await,
            Ok(None),
            "deleted"
        );
        store
            .delete_session(&session.token_hash)
            .await
            .expect("deleting twice is fine");
    }

    pub async fn failed_logins_are_counted_atomically_restarted_and_cleared(ctx: &Ctx) {
        let store = &ctx.store;
        let key = ThrottleKey::AccountAtAddress {
            email: "Dealer1@Demo.Local".into(),
            address: "203.0.113.7".into(),
        };
        assert_eq!(store.login_failures(&key).await, Ok(None));
        // Eight failures at once, as from eight instances: every one is counted.
        let mut attempts = tokio::task::JoinSet::new();
        for i in 0..8 {
            let (store, key) = (store.clone(), key.clone());
            attempts
                .spawn(async move { store.record_login_failure(&key, false, minutes(i)).await });
        }
        while let Some(result) = attempts.join_next().await {
            result
                .expect("the attempt ran")
                .expect("the failure is counted");
        }
        let counted = store.login_failures(&key).await.unwrap().unwrap();
        assert_eq!(counted.count, 8);
        // The same account in another spelling shares the count.
        let same = ThrottleKey::AccountAtAddress {
            email: "dealer1@demo.local".into(),
            address: "203.0.113.7".into(),
        };
        assert_eq!(store.login_failures(&same).await.unwrap().unwrap().count, 8);
        // A forgotten run starts again at one.
        let restarted = store
            .record_login_failure(&key, true, minutes(2000))
            .await
            .unwrap();
        assert_eq!(restarted.count, 1);
        assert_eq!(restarted.last_at, minutes(2000));
        // Another address keeps its own count.
        let elsewhere = ThrottleKey::Address("203.0.113.7".into());
        assert_eq!(store.login_failures(&elsewhere).await, Ok(None));
        store.clear_login_failures(&key).await.unwrap();
        assert_eq!(store.login_failures(&key).await, Ok(None));
        store
            .clear_login_failures(&key)
            .await
            .expect("clearing twice is fine");
    }

    pub async fn a_user_is_found_by_email_in_one_read(ctx: &Ctx) {
        let store = &ctx.store;
        let u = user("u-one-read", "one.read@example.ru");
        store.create_user(&u).await.unwrap();
        let before = store.round_trips();
        assert_eq!(
            store.user_by_email("one.read@example.ru").await,
            Ok(Some(u))
        );
        assert_eq!(store.round_trips() - before, 1, "a known e-mail");
        let before = store.round_trips();
        assert_eq!(store.user_by_email("nobody@example.ru").await, Ok(None));
        assert_eq!(store.round_trips() - before, 1, "an unknown e-mail");
    }

    pub async fn ticket_numbers_start_at_1001_and_stay_unique_under_concurrency(ctx: &Ctx) {
        let store = &ctx.store;
        let number = |t: &Ticket| t.number;
        assert_eq!(number(&file(store, "t0", "d1", minutes(0)).await), 1001);
        // A warm instance files in one round trip: the number is taken in the ticket's
        // own transaction.
        let before = store.round_trips();
        assert_eq!(number(&file(store, "t1", "d1", minutes(1)).await), 1002);
        assert_eq!(store.round_trips() - before, 1, "one TransactWriteItems");

        // Ten at once from one instance: ten numbers, none twice, none skipped (while others
        // are under way a create draws its number first).
        let calls = (0..10).map(|i| {
            let store = store.clone();
            tokio::spawn(async move { file(&store, &format!("c{i}"), "d1", minutes(2)).await })
        });
        let mut numbers = HashSet::new();
        for call in calls.collect::<Vec<_>>() {
            numbers.insert(call.await.unwrap().number);
        }
        assert_eq!(numbers, (1003..=1012).collect::<HashSet<u64>>());
        let top = 1012;
        let before = store.round_trips();
        assert_eq!(number(&file(store, "t1b", "d1", minutes(2)).await), top + 1);
        assert_eq!(
            store.round_trips() - before,
            1,
            "alone again: one transaction"
        );

        // Another instance (another Lambda): it reads the counter once, then files.
        let other = Store::connect(&StoreConfig::local(
            ctx.endpoint.clone(),
            store.table_name(),
        ))
        .await
        .unwrap();
        assert_eq!(number(&file(&other, "o1", "d2", minutes(3)).await), top + 2);
        // What this instance knows is stale now: its transaction is refused on the counter,
        // and it files again with a drawn number — no number twice, none skipped.
        assert_eq!(number(&file(store, "t2", "d1", minutes(4)).await), top + 3);
        assert_eq!(number(&file(&other, "o2", "d2", minutes(5)).await), top + 4);

        // A create that is not written takes no number.
        let (dup, event) = filed("t2", 0, "d1", minutes(6));
        assert_eq!(
            create(store, &dup, &event, None).await,
            Err(StoreError::AlreadyExists)
        );
        assert_eq!(number(&file(store, "t3", "d1", minutes(7)).await), top + 5);
    }

    pub async fn dealers_are_listed_by_name(ctx: &Ctx) {
        let store = &ctx.store;
        store
            .put_network(&NetworkRecord {
                id: NetworkId::new("n1"),
                name: "NIVA".into(),
            })
            .await
            .unwrap();
        let dealer = |id: &str, name: &str| DealerRecord {
            id: DealerId::new(id),
            network_id: NetworkId::new("n1"),
            name: name.into(),
            city: "Тольятти".into(),
            timezone: "Europe/Samara".into(),
            account_manager_id: (id == "d2").then(|| UserId::new("am1")),
        };
        for (id, name) in [("d1", "Вектор"), ("d2", "Автоград"), ("d3", "Бизон")]
        {
            store.put_dealer(&dealer(id, name)).await.unwrap();
        }
        // Replacing a dealer moves it in the listing.
        store.put_dealer(&dealer("d1", "Ялта-Авто")).await.unwrap();

        let names: Vec<_> = store
            .dealers()
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.name)
            .collect();
        assert_eq!(names, vec!["Автоград", "Бизон", "Ялта-Авто"]);
        assert_eq!(
            store.dealer(&DealerId::new("d2")).await,
            Ok(Some(dealer("d2", "Автоград")))
        );
        assert_eq!(store.dealer(&DealerId::new("d9")).await, Ok(None));
    }

    pub async fn a_corrupt_item_is_reported_as_corrupt(ctx: &Ctx) {
        let store = &ctx.store;
        let t = file(store, "t1", "d1", minutes(0)).await;
        let raw = raw_client(ctx).await;
        raw.update_item()
            .table_name(store.table_name())
            .key("pk", s("TICKET#t1"))
            .key("sk", s("TICKET"))
            .update_expression("SET #s = :s")
            .expression_attribute_names("#s", "status")
            .expression_attribute_values(":s", s("lost_in_space"))
            .send()
            .await
            .unwrap();
        assert!(matches!(
            store.ticket(&t.id).await,
            Err(StoreError::Corrupt(_))
        ));
        assert!(matches!(
            store.ticket_with_history(&t.id).await,
            Err(StoreError::Corrupt(_))
        ));
        let listed = store
            .all_tickets(
                None,
                &PageRequest {
                    limit: 5,
                    cursor: None,
                },
            )
            .await;
        assert!(matches!(listed, Err(StoreError::Corrupt(_))), "{listed:?}");
    }

    pub async fn ensure_table_is_idempotent(ctx: &Ctx) {
        let store = &ctx.store;
        file(store, "t1", "d1", minutes(0)).await;
        store.ensure_table().await.expect("second ensure_table");
        store.ensure_table().await.expect("third ensure_table");
        assert!(
            store.ticket(&TicketId::new("t1")).await.unwrap().is_some(),
            "data kept"
        );
        let ttl = raw_client(ctx)
            .await
            .describe_time_to_live()
            .table_name(store.table_name())
            .send()
            .await
            .unwrap();
        let ttl = ttl.time_to_live_description().unwrap();
        assert_eq!(ttl.attribute_name(), Some("ttl"));
        assert_eq!(
            ttl.time_to_live_status(),
            Some(&aws_sdk_dynamodb::types::TimeToLiveStatus::Enabled)
        );

        // A second store on the same table (another process) sees the same data.
        let again = Store::connect(&StoreConfig::local(
            ctx.endpoint.clone(),
            store.table_name(),
        ))
        .await
        .unwrap();
        again.ensure_table().await.unwrap();
        assert!(again.ticket(&TicketId::new("t1")).await.unwrap().is_some());
    }

    pub async fn round_trips_are_counted(ctx: &Ctx) {
        let store = &ctx.store;
        file(store, "t0", "d1", minutes(0)).await;
        let before = store.round_trips();
        file(store, "t1", "d1", minutes(0)).await;
        store
            .ticket_with_history(&TicketId::new("t1"))
            .await
            .unwrap();
        assert_eq!(
            store.round_trips() - before,
            2,
            "one transaction (the counter known), one query"
        );
        assert_eq!(
            store.clone().round_trips(),
            store.round_trips(),
            "clones share the counter"
        );
    }

    pub async fn a_move_and_its_notices_are_written_together_or_not_at_all(ctx: &Ctx) {
        let store = &ctx.store;
        let v1 = file(store, "t1", "d1", minutes(0)).await;
        let v2 = moved(store, &v1, &specialist(), Action::Take, minutes(1)).await;
        let pending = store.pending_notices(minutes(2), 10).await.unwrap();
        let keys: Vec<_> = pending.iter().map(|e| e.notice.key.as_str()).collect();
        assert_eq!(keys, vec!["ticket:t1:v2"], "the move's notice is pending");
        assert_eq!(
            pending[0].notice,
            v2.notices(&store.ticket_with_history(&v1.id).await.unwrap().unwrap().1[1])[0]
        );

        // The losing writer's notice is not written either.
        let (stale, event) = v1
            .apply(
                &specialist(),
                Action::AskInfo,
                Some("?"),
                &cal(),
                minutes(2),
            )
            .unwrap();
        assert_eq!(
            store
                .save_move(&v1, &stale, &event, &stale.notices(&event))
                .await,
            Err(StoreError::Conflict {
                entity: Entity::Ticket
            })
        );
        assert_eq!(
            store.pending_notices(minutes(3), 10).await.unwrap().len(),
            1
        );
    }

    pub async fn a_notice_written_twice_is_stored_once_and_leased_by_one_sender(ctx: &Ctx) {
        let store = &ctx.store;
        let notice = Notice::new(
            "sla-warning:t1:x",
            "sla_warning",
            Audience::Role {
                role: Role::Specialist,
            },
            minutes(0),
        )
        .with("number", "DD-1001");
        assert_eq!(
            store.enqueue(std::slice::from_ref(&notice)).await.unwrap(),
            1
        );
        assert_eq!(
            store.enqueue(std::slice::from_ref(&notice)).await.unwrap(),
            0
        );
        let pending = store.pending_notices(minutes(1), 10).await.unwrap();
        assert_eq!(
            pending,
            vec![OutboxEntry {
                notice: notice.clone(),
                attempts: 0
            }]
        );

        assert!(
            store
                .claim_notice(&notice.key, minutes(1), minutes(3))
                .await
                .unwrap()
        );
        assert!(
            !store
                .claim_notice(&notice.key, minutes(2), minutes(4))
                .await
                .unwrap(),
            "leased"
        );
        assert!(
            store
                .pending_notices(minutes(2), 10)
                .await
                .unwrap()
                .is_empty(),
            "a leased notice is not offered"
        );
        store.mark_sent(&notice.key, minutes(2)).await.unwrap();
        assert!(
            store
                .pending_notices(minutes(10), 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            !store
                .claim_notice(&notice.key, minutes(10), minutes(12))
                .await
                .unwrap(),
            "sent is sent"
        );
        assert_eq!(
            store.enqueue(std::slice::from_ref(&notice)).await.unwrap(),
            0,
            "still known after delivery"
        );
    }

    pub async fn a_failed_notice_waits_for_its_retry_time_and_a_dead_one_leaves_the_queue(
        ctx: &Ctx,
    ) {
        let store = &ctx.store;
        let a = Notice::new(
            "a",
            "t",
            Audience::Address {
                email: "a@example.ru".into(),
            },
            minutes(0),
        );
        let b = Notice::new(
            "b",
            "t",
            Audience::Address {
                email: "b@example.ru".into(),
            },
            minutes(0),
        );
        store.enqueue(&[a.clone(), b.clone()]).await.unwrap();
        assert!(
            store
                .claim_notice("a", minutes(1), minutes(2))
                .await
                .unwrap()
        );
        store
            .mark_failed("a", "SMTP 451", minutes(5), false)
            .await
            .unwrap();
        assert!(
            store
                .claim_notice("b", minutes(1), minutes(2))
                .await
                .unwrap()
        );
        store
            .mark_failed("b", "address rejected", minutes(5), true)
            .await
            .unwrap();
        assert!(
            store
                .pending_notices(minutes(3), 10)
                .await
                .unwrap()
                .is_empty()
        );
        let later = store.pending_notices(minutes(6), 10).await.unwrap();
        assert_eq!(
            later,
            vec![OutboxEntry {
                notice: a,
                attempts: 1
            }]
        );
    }

    pub async fn users_are_found_by_dealer_and_by_role(ctx: &Ctx) {
        let store = &ctx.store;
        store.create_user(&user("u1", "b@d1.ru")).await.unwrap();
        store.create_user(&user("u2", "a@d1.ru")).await.unwrap();
        store
            .create_user(&UserRecord {
                dealer_id: Some(DealerId::new("d2")),
                ..user("u3", "c@d2.ru")
            })
            .await
            .unwrap();
        store
            .create_user(&UserRecord {
                role: Role::Specialist,
                dealer_id: None,
                ..user("u4", "s@platform.ru")
            })
            .await
            .unwrap();
        let emails =
            |users: Vec<UserRecord>| users.into_iter().map(|u| u.email).collect::<Vec<_>>();
        assert_eq!(
            emails(store.users_of_dealer(&DealerId::new("d1")).await.unwrap()),
            ["a@d1.ru", "b@d1.ru"]
        );
        assert_eq!(
            emails(store.users_with_role(Role::Specialist).await.unwrap()),
            ["s@platform.ru"]
        );
        assert_eq!(
            emails(store.users_with_role(Role::Dealer).await.unwrap()).len(),
            3
        );
    }

    pub async fn calendar_years_and_hours_are_stored_with_optimistic_locking(ctx: &Ctx) {
        let store = &ctx.store;
        assert_eq!(store.platform_calendar().await.unwrap(), Default::default());

        let mut y2027 = YearCalendar::statutory(2027);
        let record = |calendar: YearCalendar, version| CalendarYearRecord {
            calendar,
            source: CalendarSource::Admin,
            version,
            updated_at: minutes(0),
            updated_by: Some(UserId::new("user-admin")),
        };
        store
            .put_calendar_year(&record(y2027.clone(), 1), 0)
            .await
            .unwrap();
        assert_eq!(
            store.put_calendar_year(&record(y2027.clone(), 1), 0).await,
            Err(StoreError::Conflict {
                entity: Entity::Calendar
            }),
            "a second first write loses"
        );
        y2027
            .set_day(
                chrono::NaiveDate::from_ymd_opt(2027, 1, 11).unwrap(),
                DayKind::NonWorking,
            )
            .unwrap();
        store
            .put_calendar_year(&record(y2027.clone(), 2), 1)
            .await
            .unwrap();
        assert_eq!(
            store
                .put_calendar_year(&record(YearCalendar::statutory(2027), 2), 1)
                .await,
            Err(StoreError::Conflict {
                entity: Entity::Calendar
            }),
            "an edit of a version someone replaced"
        );
        let official = YearCalendar::official_ru().remove(0);
        store
            .put_calendar_year(
                &CalendarYearRecord {
                    source: CalendarSource::Official,
                    updated_by: None,
                    ..record(official.clone(), 1)
                },
                0,
            )
            .await
            .unwrap();
        let hours = WorkingHoursRecord {
            hours: WorkingHours::platform(),
            version: 1,
            updated_at: minutes(1),
            updated_by: None,
        };
        store.put_working_hours(&hours, 0).await.unwrap();
        assert_eq!(
            store.put_working_hours(&hours, 0).await,
            Err(StoreError::Conflict {
                entity: Entity::Calendar
            })
        );

        let before = store.round_trips();
        let stored = store.platform_calendar().await.unwrap();
        assert_eq!(
            store.round_trips() - before,
            1,
            "the whole calendar is one Query"
        );
        let years: Vec<_> = stored
            .years
            .iter()
            .map(|y| (y.calendar.year(), y.version))
            .collect();
        assert_eq!(years, [(2024, 1), (2027, 2)], "in year order");
        assert_eq!(stored.years[1].calendar, y2027);
        assert_eq!(stored.years[0].calendar, official);
        assert_eq!(stored.hours, Some(hours));
    }

    pub async fn open_tickets_sit_on_the_queue_index_until_done(ctx: &Ctx) {
        let store = &ctx.store;
        let t1 = file(store, "t1", "d1", minutes(0)).await;
        let t2 = file(store, "t2", "d2", minutes(5)).await;
        let t3 = file(store, "t3", "d1", minutes(10)).await;
        let t3 = moved(store, &t3, &specialist(), Action::Take, minutes(11)).await;
        let t3 = moved(
            store,
            &t3,
            &specialist(),
            Action::SendForReview,
            minutes(12),
        )
        .await;
        assert_eq!(
            ids(&store.open_tickets().await.unwrap()),
            ["t1", "t2", "t3"]
        );
        let t3 = moved(store, &t3, &dealer_actor("d1"), Action::Accept, minutes(13)).await;
        assert!(t3.status.is_done());
        let open = store.open_tickets().await.unwrap();
        assert_eq!(
            ids(&open),
            ["t1", "t2"],
            "a finished ticket leaves the index"
        );
        assert_eq!(open[0], t1);
        assert_eq!(open[1], t2);
        // The outbox's pending notices share the index, never the partition.
        assert!(
            !store
                .pending_notices(minutes(20), 10)
                .await
                .unwrap()
                .is_empty()
        );
    }

    pub async fn the_sla_watch_reads_only_tickets_whose_watch_time_has_come(ctx: &Ctx) {
        let store = &ctx.store;
        // Filed Mon 02.03.2026 12:00 MSK, medium: 8 working hours.
        let t1 = file(store, "t1", "d1", minutes(0)).await;
        let paused = file(store, "t2", "d1", minutes(0)).await;
        moved(store, &paused, &specialist(), Action::AskInfo, minutes(1)).await;
        let warn = t1.sla.warn_at.unwrap();
        let due = t1.sla.due_at.unwrap();
        let just_before = warn - Duration::milliseconds(1);
        assert!(
            store
                .tickets_due_for_watch(just_before)
                .await
                .unwrap()
                .is_empty()
        );
        let found = store.tickets_due_for_watch(warn).await.unwrap();
        assert_eq!(ids(&found), ["t1"]);

        let (marked, notices) = found[0].sla_watch(&cal(), warn).unwrap();
        // A writer holding an older version loses and writes no notice.
        assert_eq!(
            store
                .save_ticket(
                    &Ticket {
                        version: t1.version + 1,
                        ..t1.clone()
                    },
                    &marked,
                    &notices
                )
                .await,
            Err(StoreError::Conflict {
                entity: Entity::Ticket
            })
        );
        assert!(
            store
                .pending_notices(warn, 10)
                .await
                .unwrap()
                .iter()
                .all(|e| !e.notice.key.starts_with("sla-"))
        );
        store.save_ticket(&t1, &marked, &notices).await.unwrap();
        assert_eq!(store.ticket(&t1.id).await.unwrap(), Some(marked.clone()));
        let keys: Vec<_> = store
            .pending_notices(warn, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.notice.key)
            .collect();
        assert!(
            keys.contains(&format!(
                "sla-warning:t1:{}",
                dealerdesk_store::keys::instant(t1.sla.started_at)
            )),
            "{keys:?}"
        );

        assert!(
            store.tickets_due_for_watch(warn).await.unwrap().is_empty(),
            "warned: not read again"
        );
        assert!(
            store
                .tickets_due_for_watch(due - Duration::seconds(1))
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            ids(&store.tickets_due_for_watch(due).await.unwrap()),
            ["t1"],
            "the due time is next"
        );
        // The same notice written twice is refused with the whole change.
        let again = Ticket {
            version: marked.version + 1,
            ..marked.clone()
        };
        assert_eq!(
            store.save_ticket(&marked, &again, &notices).await,
            Err(StoreError::Conflict {
                entity: Entity::Ticket
            })
        );
        assert_eq!(store.ticket(&t1.id).await.unwrap(), Some(marked));
    }

    pub async fn tickets_in_review_are_found_by_how_long_they_have_waited(ctx: &Ctx) {
        let store = &ctx.store;
        let t1 = file(store, "t1", "d1", minutes(0)).await;
        let t1 = moved(store, &t1, &specialist(), Action::Take, minutes(1)).await;
        moved(
            store,
            &t1,
            &specialist(),
            Action::SendForReview,
            minutes(10),
        )
        .await;
        let t2 = file(store, "t2", "d1", minutes(0)).await;
        moved(store, &t2, &specialist(), Action::Take, minutes(1)).await;
        assert!(
            store
                .tickets_in_review_since(minutes(9))
                .await
                .unwrap()
                .is_empty()
        );
        let found = store.tickets_in_review_since(minutes(10)).await.unwrap();
        assert_eq!(ids(&found), ["t1"]);
        assert_eq!(found[0].status_since, minutes(10));
        assert_eq!(found[0].status, Status::InReview);
    }
}

// Wishes, ticket comments and attachment descriptions: their own file, same engines.
#[path = "conformance/wishes.rs"]
mod wishes;

// Knowledge-base suggestions: the index pointer, deflection events and misses.
#[path = "conformance/kb_suggest.rs"]
mod kb_suggest;
// Knowledge-base articles and their versions.
#[path = "conformance/kb.rs"]
mod kb;

// Leads, customer profiles and the network's lead settings.
#[path = "conformance/leads.rs"]
mod leads;

// The lead card's list and search, and the notification inbox.
#[path = "conformance/lead_card.rs"]
mod lead_card;
// The sites that post leads, their key claims and the webhook's counters.
#[path = "conformance/lead_sites.rs"]
mod lead_sites;
// The customer survey's and the customer's privacy writes (issue 8).
#[path = "conformance/lead_survey.rs"]
mod lead_survey;
// The quarterly survey's answers and follow-up tasks, and the dealer's accountants (issue 10).
#[path = "conformance/dealer_survey.rs"]
mod dealer_survey;

// The audit log (issue 11).
#[path = "conformance/audit.rs"]
mod audit;

// The reports' counters (issue 11).
#[path = "conformance/reports.rs"]
mod reports;

// The lead counters and the survey answers by period (issue 11).
#[path = "conformance/lead_stats.rs"]
mod lead_stats;

// The keys-only indexes: keys from the index, items from the table (issue 12).
#[path = "conformance/indexes.rs"]
mod indexes;

// Batch requests the engine hands back unprocessed: sent again, then an error (issue #12).
#[path = "conformance/batches.rs"]
mod batches;
