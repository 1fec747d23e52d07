//! The `firstkiss-bot` command: argument parsing, logging set-up, and printing. The
//! work is the library's; errors become one `error: ...` line and a non-zero exit.

use std::io::{self, BufRead, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
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
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct KnowledgeArg {
    /// The fact base to use (documents are read from `sources/` beside it). Without
    /// it, the fact base built into the binary.
    #[arg(long, global = true, env = "FIRSTKISS_KNOWLEDGE", value_name = "PATH")]
    knowledge: Option<PathBuf>,
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
        /// The question; several words need no quotes.
        #[arg(required_unless_present = "batch", num_args = 1.., trailing_var_arg = true, allow_hyphen_values = true)]
        question: Vec<String>,
    },
    /// Ask questions one after another until end of input.
    Repl,
    /// Check the fact base (quotes, ids, citations, lengths) and print a summary.
    Validate,
    /// List every fact with its answer, phrasings and citations.
    Facts {
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_writer(io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let engine = Engine::load(cli.knowledge.knowledge.as_deref())?;
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
        }
        Command::Facts { json } => facts(&engine, json, &mut out)?,
    }
    out.flush()?;
    Ok(())
}

fn repl(engine: &Engine, out: &mut impl Write) -> anyhow::Result<()> {
    let interactive = io::stdin().is_terminal();
    if interactive {
        eprintln!("Ask about \"First Kiss\" ({} facts). End with Ctrl-D.", engine.kb().stats().facts);
    }
    let mut input = io::stdin().lock();
    let mut line = String::new();
    loop {
        if interactive {
            eprint!("> ");
        }
        line.clear();
        if input.read_line(&mut line).context("cannot read standard input")? == 0 {
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
