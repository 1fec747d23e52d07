//! The `firstkiss-bot` command: argument parsing, logging set-up, and printing. The
//! work is the library's; errors become one `error: ...` line and a non-zero exit.

use std::io::{self, BufRead, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, CommandFactory, Parser, Subcommand};
use firstkiss::curate::{self, edit::Entry};
use firstkiss::discord::{self, ConfigFile, Endpoint, Settings};
use firstkiss::engine::SharedEngine;
use firstkiss::eval::QuestionSet;
#[cfg(feature = "mock")]
use firstkiss::mock;
use firstkiss::store::{self, Recorder};
use firstkiss::{render, Engine};
use serde::Serialize;

#[derive(Parser)]
#[command(
    name = "firstkiss-bot",
    version,
    about = "Answers questions about the 2014 short film \"First Kiss\", citing its sources."
)]
struct Cli {
    #[command(flatten)]
    knowledge: KnowledgeArg,
    /// How log lines on standard error are written: text (coloured only on a
    /// terminal) or json (one object per line, for a log collector).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text, value_name = "FORMAT")]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct KnowledgeArg {
    /// The fact base to use (documents are read from `sources/` beside it). Without
    /// it, `./knowledge.toml` if there is one, else the fact base built into the
    /// binary.
    #[arg(long, global = true, env = "FIRSTKISS_KNOWLEDGE", value_name = "PATH")]
    knowledge: Option<PathBuf>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Answer a question, with its sources.
    Ask {
        /// Print one JSON object per question.
        #[arg(long)]
        json: bool,
        /// Show how the question was read and the best-scoring facts (for curators).
        #[arg(long, conflicts_with_all = ["json", "batch"])]
        explain: bool,
        /// Read one question per line from standard input (with --json).
        #[arg(long, requires = "json", conflicts_with = "question")]
        batch: bool,
        /// The question; several words need no quotes. Options may come before or
        /// after it; after `--`, every word is part of the question
        /// (`ask -- --help` asks "--help").
        #[arg(required_unless_present = "batch", num_args = 1..)]
        question: Vec<String>,
    },
    /// Ask questions one after another: on a terminal with line editing and history
    /// (up and down arrows); `exit`, `quit` or Ctrl-D leaves.
    Repl,
    /// Check the fact base (quotes, ids, citations, lengths) and print a summary.
    Validate,
    /// Show a fact as Discord would: its embed as text, and the buttons under it.
    Preview {
        /// The fact's id (as `facts` lists them).
        #[arg(value_name = "FACT_ID")]
        fact: String,
    },
    /// List every fact with its answer, phrasings and citations.
    Facts {
        #[arg(long)]
        json: bool,
    },
    /// Score the bot on question sets (the format of tests/data/dev.toml) and list
    /// every miss.
    Eval {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Print a completion script for a shell, generated from these options (for
    /// example `firstkiss-bot completions bash > ~/.local/share/bash-completion/completions/firstkiss-bot`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page, generated from these options (for example
    /// `firstkiss-bot man > ~/.local/share/man/man1/firstkiss-bot.1`).
    Man,
    /// Run the Discord bot (token from DISCORD_TOKEN or the config file).
    Run {
        /// The config file [default: config.toml, if present].
        #[arg(long, value_name = "PATH")]
        config: Option<PathBuf>,
        /// Also take interactions at this address, as `serve` does [default: the
        /// config's serve.listen, if set].
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
        /// Serve /metrics, /healthz and /readyz at this address [default: the
        /// config's serve.metrics, if set].
        #[arg(long, value_name = "ADDR", conflicts_with = "listen")]
        metrics: Option<String>,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Take Discord's interactions (slash commands, autocomplete, buttons) over
    /// HTTP, without a gateway connection: the "Interactions Endpoint URL". Also
    /// serves /metrics, /healthz and /readyz. Public key from DISCORD_PUBLIC_KEY or
    /// the config; the token, if set, only registers the commands.
    Serve {
        /// The config file [default: config.toml, if present].
        #[arg(long, value_name = "PATH")]
        config: Option<PathBuf>,
        /// Where to listen [default: the config's serve.listen].
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// For curators: what fans asked that the bot missed or got a 👎 for, grouped.
    ///
    /// Reads the record: questions missed or answered with doubt, and 👎 with their
    /// notes. Near-identical questions are grouped, most asked first, each with the
    /// nearest fact. With --accept, --unknown or --dismiss, acts on question N of
    /// that listing.
    Review {
        /// The record's database [default: the config's records.database].
        #[arg(long, env = "FIRSTKISS_DATABASE", hide_env_values = true, value_name = "URL")]
        database: Option<String>,
        /// The config file [default: config.toml, if present].
        #[arg(long, value_name = "PATH")]
        config: Option<PathBuf>,
        /// Only what was recorded in the last DAYS days [default: all that is kept].
        #[arg(long, value_name = "DAYS")]
        since: Option<u32>,
        /// Print the listing as one JSON object.
        #[arg(long, conflicts_with_all = ["accept", "unknown", "dismiss"])]
        json: bool,
        /// Add question N to the phrasings of fact FACT_ID in knowledge.toml.
        #[arg(long, num_args = 2, value_names = ["N", "FACT_ID"], conflicts_with_all = ["unknown", "dismiss"])]
        accept: Option<Vec<String>>,
        /// Add question N to the phrasings of the [[unknown]] entry ID in knowledge.toml.
        #[arg(long, num_args = 2, value_names = ["N", "ID"], conflicts_with = "dismiss")]
        unknown: Option<Vec<String>>,
        /// Hide question N from later listings.
        #[arg(long, value_name = "N")]
        dismiss: Option<usize>,
    },
    /// For curators: the sentences of the documents that nothing in the base cites.
    ///
    /// Each sentence no fact, claim, unknown entry or entity quotes, with its file and
    /// line, then how much of the documents the base covers.
    Coverage {
        #[arg(long)]
        json: bool,
    },
    #[cfg(feature = "mock")]
    /// Run the real bot against a mock Discord on loopback and talk to it: lines of
    /// `/ask ...`, `/fact ...`, `/sources`, `/about`, `/settings`, `@bot ...`,
    /// `#thread ...`, a button by its label or place (`[Sources]`, `[👍]`, `[2]`),
    /// `[👎 note]`, `[❌]`, `[Ask firstkiss-bot]`, or plain text (a message in a Q&A
    /// channel). No token, no network.
    Mock {
        /// Print, per input line, the REST requests the bot made, as JSON.
        #[arg(long)]
        json: bool,
        /// A config file whose answer and cooldown settings to use [default: none,
        /// cooldowns off].
        #[arg(long, value_name = "PATH")]
        config: Option<PathBuf>,
        /// With --database, the mock's server records questions' text, as a server
        /// that turned recording on does, so a curator can try the whole loop.
        #[command(flatten)]
        database: DatabaseArg,
    },
}

#[derive(Args)]
struct DatabaseArg {
    /// Where to record what fans ask and the servers' settings (`memory:` keeps
    /// them until the process ends) [default: nothing is recorded].
    #[arg(long, value_name = "URL")]
    database: Option<String>,
}

impl DatabaseArg {
    /// The record, where `--database` says, else where the config does: opened
    /// (created and migrated), pruned, and written by a task of its own. On the
    /// current Tokio runtime.
    async fn recorder(&self, settings: &mut Settings) -> anyhow::Result<Recorder> {
        if let Some(url) = &self.database {
            settings.records.database = store::DatabaseUrl::parse(url).context("--database")?;
        }
        let (store, key) = store::open(&settings.records).await?;
        Ok(Recorder::start(store, key))
    }
}

#[global_allocator]
static ALLOCATOR: firstkiss::Allocator = firstkiss::Allocator;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Without RUST_LOG, only the bot's own events (the library's and this binary's):
    // at debug, hyper and h2 alone wrote dozens of lines per question. The running
    // bot says what it is doing; the mock says which base it loaded and reloads; the
    // rest only warn.
    let default_level = match cli.command {
        Command::Run { .. } | Command::Serve { .. } => "firstkiss=info,firstkiss_bot=info",
        #[cfg(feature = "mock")]
        Command::Mock { .. } => "firstkiss=warn,firstkiss_bot=info",
        _ => "firstkiss=warn,firstkiss_bot=warn",
    };
    let directives = std::env::var("RUST_LOG").unwrap_or_else(|_| default_level.to_string());
    // Colour codes only where they show as colour: in a file or a pipe they are noise.
    let style = match cli.log_format {
        LogFormat::Json => firstkiss::logging::Style::Json,
        LogFormat::Text => firstkiss::logging::Style::Text {
            ansi: io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        },
    };
    // Every line is scrubbed of secrets before it is written (src/logging.rs).
    if let Err(e) = firstkiss::logging::init_styled(&directives, default_level, style, io::stderr) {
        eprintln!("warning: logging is off: {e}");
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // Through the same scrubbing as the logs: no error may carry a token.
            let message = format!("error: {e:#}\n");
            let _ = io::stderr().write_all(&firstkiss::logging::redact(message.as_bytes()));
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run { config, listen, metrics, database } => {
            return run_services(cli.knowledge.knowledge, config, Http { gateway: true, listen, metrics }, database)
        }
        Command::Serve { config, listen, database } => {
            let http = Http { gateway: false, listen, metrics: None };
            return run_services(cli.knowledge.knowledge, config, http, database);
        }
        #[cfg(feature = "mock")]
        Command::Mock { json, config, database } => return run_mock(cli.knowledge.knowledge, json, config, database),
        // Generated from the definitions above, so they never disagree with them.
        Command::Completions { shell } => {
            let mut out = io::stdout().lock();
            clap_complete::generate(shell, &mut Cli::command(), "firstkiss-bot", &mut out);
            return out.flush().context("cannot write the completion script");
        }
        Command::Man => {
            let mut out = io::stdout().lock();
            clap_mangen::Man::new(Cli::command()).render(&mut out).context("cannot write the manual page")?;
            return out.flush().context("cannot write the manual page");
        }
        Command::Review { database, config, since, json, accept, unknown, dismiss } => {
            let action = match (accept, unknown, dismiss) {
                (Some(args), _, _) => Action::Add(Entry::Fact, args),
                (_, Some(args), _) => Action::Add(Entry::Unknown, args),
                (_, _, Some(n)) => Action::Dismiss(n),
                _ => Action::List { json },
            };
            return review(cli.knowledge.knowledge, config, database, since, action);
        }
        _ => {}
    }
    let knowledge = default_knowledge(cli.knowledge.knowledge);
    let engine = Engine::load(knowledge.as_deref())?;
    let mut out = BufWriter::new(io::stdout().lock());
    match cli.command {
        Command::Ask { json: true, batch: true, .. } => {
            let mut input = io::stdin().lock();
            let mut line = Vec::new();
            while input.read_until(b'\n', &mut line).context("cannot read standard input")? > 0 {
                let question = String::from_utf8_lossy(&line);
                let question = question.strip_suffix('\n').unwrap_or(&question);
                let question = question.strip_suffix('\r').unwrap_or(question);
                serde_json::to_writer(&mut out, &render::json(&engine.ask(question)))?;
                out.write_all(b"\n")?;
                line.clear();
            }
        }
        Command::Ask { explain: true, question, .. } => {
            let question = question.join(" ");
            write!(out, "{}", engine.matcher().explain(&question, engine.kb()))?;
            if let Some(shorter) = engine.shorter_form_of(&question) {
                writeln!(out, "\nits first fact is sure enough once a clause is left out: {shorter:?}")?;
                write!(out, "{}", engine.matcher().explain(&shorter, engine.kb()))?;
            }
            writeln!(out, "\n{}", render::text(&engine.ask(&question)))?;
        }
        Command::Ask { json, question, .. } => {
            let reply = engine.ask(&question.join(" "));
            if json {
                serde_json::to_writer(&mut out, &render::json(&reply))?;
                writeln!(out)?;
            } else {
                writeln!(out, "{}", render::text(&reply))?;
            }
        }
        Command::Repl => repl(&engine, &mut out)?,
        Command::Validate => {
            writeln!(out, "{}: OK: {}", engine.kb().origin(), engine.kb().stats())?;
            // Valid, so it loads and answers; these say where it would answer badly.
            let warnings = firstkiss::lint::warnings(&engine);
            for warning in &warnings {
                writeln!(out, "warning: {warning}")?;
            }
            if !warnings.is_empty() {
                let s = if warnings.len() == 1 { "" } else { "s" };
                writeln!(out, "{} warning{s}: the base loads, but fans may not get the answers meant", warnings.len())?;
            }
        }
        Command::Facts { json } => facts(&engine, json, &mut out)?,
        Command::Coverage { json } => {
            let documents = firstkiss::knowledge::KnowledgeBase::documents(knowledge.as_deref());
            let coverage = curate::coverage::coverage(engine.kb(), documents)
                .with_context(|| format!("cannot read the documents of {}", engine.kb().origin()))?;
            if json {
                serde_json::to_writer_pretty(&mut out, &coverage)?;
                writeln!(out)?;
            } else {
                write!(out, "{}", curate::coverage::render_text(&coverage))?;
            }
        }
        Command::Preview { fact } => match discord::preview::fact(&engine, &fact, false) {
            Some(text) => writeln!(out, "{text}")?,
            None => anyhow::bail!("no fact has the id {fact:?}: `firstkiss-bot facts` lists them"),
        },
        Command::Eval { files } => {
            for file in files {
                let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
                let set =
                    QuestionSet::parse(&text).with_context(|| format!("{} is not a question set", file.display()))?;
                let score = firstkiss::eval::score(&engine, &set);
                for (case, why) in &score.misses {
                    writeln!(out, "miss [{}] \"{}\": {why}", case.kind, case.q)?;
                }
                writeln!(out, "{}: {score}", file.display())?;
                writeln!(out, "{}", score.calibration())?;
                let best = (score.ranked, score.answered.1);
                writeln!(out, "best fact right, at no threshold: {}/{} answerable", best.0, best.1)?;
                writeln!(out, "{}", score.best_calibration())?;
            }
        }
        Command::Run { .. }
        | Command::Serve { .. }
        | Command::Completions { .. }
        | Command::Man
        | Command::Review { .. } => {
            unreachable!("handled above")
        }
        #[cfg(feature = "mock")]
        Command::Mock { .. } => unreachable!("handled above"),
    }
    out.flush()?;
    // The process ends here: freeing the engine's thousands of allocations one by
    // one would only delay the exit (by about 1 ms, 2% of start-up, 2026-12-02).
    std::mem::forget(engine);
    Ok(())
}

/// What `review` was asked to do.
enum Action {
    List {
        json: bool,
    },
    /// `--accept N FACT_ID` or `--unknown N ID`.
    Add(Entry, Vec<String>),
    Dismiss(usize),
}

/// `review`: reads the record, lists it, or acts on one question of the listing.
fn review(
    knowledge: Option<PathBuf>,
    config: Option<PathBuf>,
    database: Option<String>,
    since: Option<u32>,
    action: Action,
) -> anyhow::Result<()> {
    let (_, settings) = load_config(knowledge, config)?;
    let records = &settings.records;
    // The command line's URL is relative to where the curator is, not to the config.
    let url = match database.filter(|d| !d.trim().is_empty()) {
        Some(url) => store::DatabaseUrl::parse(&url)?,
        None => records.database.clone(),
    };
    // Reading must not leave an empty database where a curator mistyped the path.
    if let store::DatabaseUrl::Sqlite(path) = &url {
        if !path.exists() {
            anyhow::bail!(
                "there is no record at {}: pass --database URL (or set FIRSTKISS_DATABASE) to the bot's database",
                path.display()
            );
        }
    }
    let engine = Engine::load(settings.knowledge.as_deref())?;
    let since_at = since.map_or(0, |days| store::now() - i64::from(days) * 86_400);
    let runtime = runtime()?;
    let (store, listing) = runtime.block_on(async {
        let store = store::Store::open(&url).await?;
        // Nothing older than the retention period is shown, even before the bot prunes.
        store.prune(records.retention).await?;
        let read = store.review_records(since_at).await?;
        anyhow::Ok((store, curate::review(&engine, &read)))
    })?;
    let mut out = BufWriter::new(io::stdout().lock());
    let pick = |n: &str| -> anyhow::Result<&curate::Group> {
        let count = listing.groups.len();
        let n: usize = n.parse().map_err(|_| anyhow::anyhow!("{n:?} is not a question number (see `review`)"))?;
        listing.groups.get(n.wrapping_sub(1)).with_context(|| {
            format!(
                "there is no question {n}: the listing has {count} (run `review` with the same --since to see them)"
            )
        })
    };
    match action {
        Action::List { json: true } => {
            serde_json::to_writer_pretty(&mut out, &curate::render_json(&listing))?;
            writeln!(out)?;
        }
        Action::List { json: false } => {
            write!(out, "{}", curate::render_text(&listing, since, engine.matcher().threshold()))?;
        }
        Action::Dismiss(n) => {
            let group = pick(&n.to_string())?;
            runtime.block_on(store.dismiss(&group.keys))?;
            let what =
                group.question.as_deref().map_or_else(|| "the 👎 without a question".into(), |q| format!("\"{q}\""));
            writeln!(out, "dismissed question {n}, {what}: later listings leave it out")?;
        }
        Action::Add(entry, args) => {
            let [n, id] =
                <[String; 2]>::try_from(args).map_err(|_| anyhow::anyhow!("give a question number and an id"))?;
            let group = pick(&n)?;
            let question = group.question.as_deref().with_context(|| {
                format!("question {n} has no text (its server does not record questions): there is nothing to add")
            })?;
            let path = settings.knowledge.as_deref().context(
                "review --accept edits knowledge.toml: run it in the folder that has one, or pass --knowledge PATH",
            )?;
            let phrasing = curate::edit::phrasing(question);
            let kb = curate::edit::add_phrasing(path, entry, &id, &phrasing)?;
            runtime.block_on(store.dismiss(&group.keys))?;
            let kind = if entry == Entry::Fact { "fact" } else { "unknown entry" };
            writeln!(
                out,
                "added \"{phrasing}\" (question {n}) to the phrasings of {kind} `{id}` in {}",
                path.display()
            )?;
            let now = curate::nearest(&Engine::new(kb), question);
            match now {
                Some(near) if near.answers && near.id.split('/').next() == Some(id.as_str()) => {
                    writeln!(out, "the bot now answers it with `{}` (confidence {:.2})", near.id, near.confidence)?
                }
                Some(near) => writeln!(
                    out,
                    "note: the bot's best entry for it is still `{}` (confidence {:.2}{}): add more phrasings, or check the entry",
                    near.id,
                    near.confidence,
                    if near.answers { "" } else { ", below the threshold" }
                )?,
                None => writeln!(out, "note: the bot still finds nothing for it")?,
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// The config file and what it names: settings, and the fact base (the command
/// line's choice first, then the config's, relative to the config file).
fn load_config(knowledge: Option<PathBuf>, config: Option<PathBuf>) -> anyhow::Result<(ConfigFile, Settings)> {
    let (path, required) = match config {
        Some(path) => (path, true),
        None => (PathBuf::from("config.toml"), false),
    };
    let file = ConfigFile::load(&path, required, std::env::var("DISCORD_TOKEN").ok().as_deref())?;
    let mut settings = file.settings(&path)?;
    settings.knowledge = default_knowledge(knowledge.or(settings.knowledge));
    // For a container or a service whose config folder is read-only: the record then
    // goes where the environment says (Dockerfile, deploy/firstkiss-bot.service).
    if let Some(url) = std::env::var(DATABASE_ENV).ok().filter(|u| !u.trim().is_empty()) {
        settings.records.database = store::DatabaseUrl::parse(&url).context(DATABASE_ENV)?;
    }
    Ok((file, settings))
}

/// Overrides the config's `records.database` for every command.
const DATABASE_ENV: &str = "FIRSTKISS_DATABASE";

/// The fact base file in the current directory that a command uses when none is named.
const LOCAL_KNOWLEDGE: &str = "knowledge.toml";

/// The fact base to use: the one named, else `./knowledge.toml` where there is one,
/// else (`None`) the one built into the binary. Run from a clone, every command uses
/// the file a curator edits, so `validate` checks it, `ask` answers from it, and
/// SIGHUP re-reads it; the built-in base could never change under a reload.
fn default_knowledge(named: Option<PathBuf>) -> Option<PathBuf> {
    named.or_else(|| Path::new(LOCAL_KNOWLEDGE).is_file().then(|| PathBuf::from(LOCAL_KNOWLEDGE)))
}

fn load_engine(knowledge: Option<&Path>) -> anyhow::Result<Arc<SharedEngine>> {
    let engine = Engine::load(knowledge)?;
    tracing::info!(knowledge = engine.kb().origin(), stats = %engine.kb().stats(), "fact base loaded");
    Ok(Arc::new(SharedEngine::new(engine)))
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")
}

/// What `run` and `serve` were asked to serve over HTTP.
struct Http {
    gateway: bool,
    listen: Option<String>,
    metrics: Option<String>,
}

/// `run` (the gateway, and an endpoint or a metrics listener if asked) and `serve`.
fn run_services(
    knowledge: Option<PathBuf>,
    config: Option<PathBuf>,
    http: Http,
    database: DatabaseArg,
) -> anyhow::Result<()> {
    let (file, mut settings) = load_config(knowledge, config)?;
    let token = match file.token(std::env::var("DISCORD_TOKEN").ok()) {
        Ok(token) => Some(token),
        Err(discord::ConfigError::MissingToken) if !http.gateway => None,
        Err(e) => return Err(e.into()),
    };
    let listen = http.listen.or(file.serve.listen.clone());
    let metrics = if http.gateway { http.metrics.or(file.serve.metrics.clone()) } else { None };
    if !http.gateway && listen.is_none() {
        anyhow::bail!("serve needs an address to listen on: pass --listen ADDR (e.g. 127.0.0.1:8080) or set listen under [serve] in the config");
    }
    let verifier = match &listen {
        None => None,
        Some(_) => {
            let key = std::env::var("DISCORD_PUBLIC_KEY")
                .ok()
                .filter(|k| !k.trim().is_empty())
                .or(file.serve.public_key.clone());
            let key = key.context("no public key: set DISCORD_PUBLIC_KEY (or public_key under [serve] in the config) to the Public Key on your application's General Information page in the Discord Developer Portal")?;
            Some(discord::Verifier::from_hex(&key)?)
        }
    };
    if !http.gateway && !settings.qa_channels.is_empty() {
        tracing::warn!("community.qa_channels is ignored: answering messages needs the gateway (`run`)");
    }
    let engine = load_engine(settings.knowledge.as_deref())?;
    runtime()?.block_on(async {
        let bind = |address: String, what: &'static str| async move {
            tokio::net::TcpListener::bind(&address)
                .await
                .with_context(|| format!("cannot listen for {what} on {address}"))
        };
        let endpoint = match (listen, verifier) {
            (Some(address), Some(verifier)) => Some((bind(address, "interactions").await?, verifier)),
            _ => None,
        };
        let metrics_listener = match metrics {
            Some(address) => Some(bind(address, "metrics").await?),
            None => None,
        };
        let services = discord::Services {
            gateway: http.gateway,
            endpoint,
            metrics_listener,
            metrics: discord::Metrics::new(),
            recorder: Some(database.recorder(&mut settings).await?),
        };
        tokio::spawn(reload_on_hangup(engine.clone(), settings.knowledge.clone(), Some(services.metrics.clone())));
        discord::start(token.as_ref(), settings, engine, &Endpoint::Discord, services, shutdown_signal()).await?;
        Ok(())
    })
}

#[cfg(feature = "mock")]
fn run_mock(
    knowledge: Option<PathBuf>,
    json: bool,
    config: Option<PathBuf>,
    database: DatabaseArg,
) -> anyhow::Result<()> {
    let configured = config.is_some();
    let (_, mut settings) = load_config(knowledge, config)?;
    // A curator trying the loop: the mock's server records questions. Without
    // --database the mock keeps its record in memory, and leaves no file behind.
    settings.records.record_questions |= database.database.is_some();
    if database.database.is_none() {
        settings.records.database = store::DatabaseUrl::Memory;
    }
    let engine = load_engine(settings.knowledge.as_deref())?;
    if !configured {
        settings.user_cooldown = std::time::Duration::ZERO;
        settings.channel_cooldown = std::time::Duration::ZERO;
    }
    let typed = io::stdin().is_terminal();
    if typed && !json {
        eprintln!("Mock Discord: type {}. Ctrl-D ends.", mock::console::COMMANDS);
    }
    // A terminal has shown what was typed: echoing it again doubled every line.
    let view = mock::console::View { json, ansi: io::stdout().is_terminal(), echo: !typed };
    runtime()?.block_on(async {
        tokio::spawn(reload_on_hangup(engine.clone(), settings.knowledge.clone(), None));
        let input = tokio::io::BufReader::new(tokio::io::stdin());
        let recorder = Some(database.recorder(&mut settings).await?);
        mock::console::run_recording(engine, settings, recorder, view, input, io::stdout().lock()).await?;
        Ok(())
    })
}

/// On SIGHUP, re-reads the fact base: a valid one replaces the old at once, an
/// invalid one is logged and the old one kept. Counted in `metrics`, if given.
async fn reload_on_hangup(engine: Arc<SharedEngine>, path: Option<PathBuf>, metrics: Option<discord::Metrics>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let Ok(mut hangups) = signal(SignalKind::hangup()) else {
            tracing::warn!("cannot listen for SIGHUP; reload with /reload instead");
            return;
        };
        while hangups.recv().await.is_some() {
            if path.is_none() {
                tracing::warn!("{}", discord::BUILTIN_RELOAD);
                continue;
            }
            let loaded = tokio::task::spawn_blocking({
                let (engine, path) = (engine.clone(), path.clone());
                move || engine.reload(path.as_deref())
            })
            .await;
            if let Some(metrics) = &metrics {
                metrics.reload(matches!(loaded, Ok(Ok(_))));
            }
            match loaded {
                Ok(Ok(stats)) => tracing::info!(%stats, "fact base reloaded on SIGHUP"),
                Ok(Err(e)) => tracing::error!("the new fact base was rejected on SIGHUP; the old one stays: {e}"),
                Err(e) => tracing::error!("the reload failed: {e}"),
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (engine, path, metrics);
}

/// Completes on Ctrl-C or SIGTERM, for a clean shutdown of the shards.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The words that end the repl, whatever their case.
fn is_exit(line: &str) -> bool {
    matches!(line.trim().to_lowercase().as_str(), "exit" | "quit" | "/exit" | "/quit")
}

fn repl(engine: &Engine, out: &mut impl Write) -> anyhow::Result<()> {
    if !io::stdin().is_terminal() {
        return repl_script(engine, out);
    }
    use rustyline::error::ReadlineError;
    let mut editor = rustyline::DefaultEditor::new().context("cannot set up line editing on this terminal")?;
    eprintln!("Ask about \"First Kiss\" ({} facts). End with exit, quit or Ctrl-D.", engine.kb().stats().facts);
    loop {
        let line = match editor.readline("> ") {
            Ok(line) => line,
            // Ctrl-C drops the line being typed, as a shell does.
            Err(ReadlineError::Interrupted) => continue,
            // Ctrl-D: end the prompt's line, so the shell's prompt starts on its own.
            Err(ReadlineError::Eof) => {
                eprintln!();
                return Ok(());
            }
            Err(e) => return Err(e).context("cannot read the terminal"),
        };
        if is_exit(&line) {
            return Ok(());
        }
        if !line.trim().is_empty() {
            // In memory only: questions are not written to a file in the user's home.
            let _ = editor.add_history_entry(line.as_str());
        }
        writeln!(out, "{}\n", render::text(&engine.ask(line.trim_end())))?;
        out.flush()?;
    }
}

/// The repl reading a script or a pipe: one question per line, no prompt.
fn repl_script(engine: &Engine, out: &mut impl Write) -> anyhow::Result<()> {
    let mut input = io::stdin().lock();
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line).context("cannot read standard input")? == 0 || is_exit(&line) {
            return Ok(());
        }
        writeln!(out, "{}\n", render::text(&engine.ask(line.trim_end())))?;
        out.flush()?;
    }
}

#[derive(Serialize)]
struct FactJson<'a> {
    id: &'a str,
    title: &'a str,
    answer: String,
    questions: &'a [String],
    citations: Vec<render::JsonCitation<'a>>,
}

fn facts(engine: &Engine, json: bool, out: &mut impl Write) -> anyhow::Result<()> {
    let kb = engine.kb();
    let mut all = Vec::new();
    for id in kb.fact_ids() {
        let fact = kb.fact(id);
        let reply = engine.fact_reply(id);
        let citations =
            reply.citations.iter().map(|c| render::JsonCitation { file: &c.file, title: &c.title, quote: &c.quote });
        let entry = FactJson {
            id: &fact.id,
            title: &fact.title,
            answer: render::body(&reply),
            questions: &fact.questions,
            citations: citations.collect(),
        };
        if json {
            all.push(serde_json::to_value(&entry)?);
        } else {
            writeln!(out, "{} ({})\n  {}", entry.title, entry.id, entry.answer.replace('\n', "\n  "))?;
            writeln!(out, "  asked as: {}", entry.questions.join(" | "))?;
            for note in &reply.citations {
                writeln!(out, "  {}", render::footnote(note))?;
            }
            writeln!(out)?;
        }
    }
    if json {
        serde_json::to_writer_pretty(&mut *out, &all)?;
        writeln!(out)?;
    }
    Ok(())
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
            || cause.downcast_ref::<serde_json::Error>().and_then(|j| j.io_error_kind())
                == Some(io::ErrorKind::BrokenPipe)
    })
}
