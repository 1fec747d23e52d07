//! The peer: tantivy (BM25) over the same facts. Each fact is one document with its
//! curated questions, its title and its answer (for a contested fact, the
//! introduction and every claim) as English-stemmed text fields; a question is
//! parsed leniently across the three fields (OR of its terms) and the top-1 fact is
//! the answer. Tantivy has no notion of confidence, so it abstains only when no
//! document matches at all.

use firstkiss::knowledge::{FactId, KnowledgeBase};
use firstkiss::reply::Reply;
use tantivy::collector::TopDocs;
use tantivy::columnar::Column;
use tantivy::query::QueryParser;
use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument};

/// Memory budget of the single indexing thread.
const WRITER_BUDGET: usize = 64 * 1024 * 1024;

pub struct Tantivy {
    // Kept alive for the searcher.
    _index: Index,
    _reader: IndexReader,
    searcher: Searcher,
    parser: QueryParser,
    /// The fact number of each document, per segment.
    facts: Vec<Column<u64>>,
}

impl Tantivy {
    /// Indexes every fact of `kb` in RAM, with one indexing thread.
    pub fn build(kb: &KnowledgeBase) -> tantivy::Result<Tantivy> {
        let mut schema = Schema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("en_stem")
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let questions = schema.add_text_field("questions", text.clone());
        let title = schema.add_text_field("title", text.clone());
        let answer = schema.add_text_field("answer", text);
        let fact_field = schema.add_u64_field("fact", FAST);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter<TantivyDocument> = index.writer_with_num_threads(1, WRITER_BUDGET)?;
        for (i, fact) in kb.facts().iter().enumerate() {
            let mut doc = TantivyDocument::default();
            for q in &fact.questions {
                doc.add_text(questions, q);
            }
            doc.add_text(title, &fact.title);
            doc.add_text(answer, &fact.answer);
            for claim in &fact.claims {
                doc.add_text(answer, &claim.text);
            }
            doc.add_u64(fact_field, i as u64);
            writer.add_document(doc)?;
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let searcher = reader.searcher();
        let facts = searcher
            .segment_readers()
            .iter()
            .map(|segment| segment.fast_fields().u64("fact"))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let parser = QueryParser::for_index(&index, vec![questions, title, answer]);
        Ok(Tantivy { _index: index, _reader: reader, searcher, parser, facts })
    }

    /// The best fact by BM25 and its score, or `None` when no document matches.
    pub fn top1(&self, question: &str) -> Option<(FactId, f32)> {
        let (query, _errors) = self.parser.parse_query_lenient(question);
        let top = self.searcher.search(&*query, &TopDocs::with_limit(1).order_by_score()).ok()?;
        let (score, address) = top.first()?;
        let fact = self.facts.get(address.segment_ord as usize)?.first(address.doc_id)?;
        Some((FactId(fact as u32), *score))
    }

    /// The reply the peer gives: its top-1 fact presented as our engine presents a
    /// fact (same body, same footnotes), or "I don't know" when nothing matches.
    pub fn ask(&self, kb: &KnowledgeBase, question: &str) -> Reply {
        self.ask_with(kb, question, f32::NEG_INFINITY)
    }

    /// [`Tantivy::ask`], answering only when the top BM25 score reaches `threshold`:
    /// the peer with an abstention rule, as fair a rival as a threshold makes it.
    pub fn ask_with(&self, kb: &KnowledgeBase, question: &str, threshold: f32) -> Reply {
        match self.top1(question) {
            Some((fact, score)) if score >= threshold => Reply::for_fact(kb, fact, question, 1.0),
            _ => Reply::unknown(kb, question, 0.0, []),
        }
    }

    pub fn segments(&self) -> usize {
        self.facts.len()
    }
}
