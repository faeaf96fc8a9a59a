//! Speed of the pure core on the real, built-in knowledge base.
//!
//! Targets (issue 2, on the 2-core development machine): a typical question <= 20 µs median,
//! a 4,000-character message <= 500 µs, knowledge-base load + index build <= 5 ms.
//! Run: `cargo bench --bench engine`. Figures are reported in BENCHMARKS.md.

use std::hint::black_box;

use backleg::domain::{Engine, EngineOptions, Question};
use backleg::eval;
use backleg::kb_files;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

fn engine() -> Engine {
    kb_files::load_engine(None, &EngineOptions::default())
        .expect("built-in knowledge base is valid")
}

/// The dev set when it is beside the checkout, else the project's own question file.
fn batch_questions() -> Vec<String> {
    let root = env!("CARGO_MANIFEST_DIR");
    let dev = format!("{root}/../shared/eval/dev.jsonl");
    let own = format!("{root}/tests/data/questions.jsonl");
    let text = std::fs::read_to_string(&dev)
        .or_else(|_| std::fs::read_to_string(&own))
        .expect("a question file");
    eval::parse_rows(&text)
        .expect("valid question file")
        .into_iter()
        .map(|row| row.q)
        .collect()
}

fn long_message() -> String {
    let base = "I've had lower back pain for about three weeks and it goes down the back of my right leg \
                into my calf, sitting at my desk makes it worse, I tried stretching and a hot water bottle. ";
    let mut text = String::new();
    while text.len() < 4000 {
        text.push_str(base);
    }
    text.truncate(4000);
    text
}

fn benches(c: &mut Criterion) {
    let files = kb_files::embedded_files();
    c.bench_function("kb_load_and_index_build", |b| {
        b.iter_batched(
            || files.clone(),
            |files| {
                Engine::from_files(black_box(&files), &EngineOptions::default()).expect("valid")
            },
            BatchSize::SmallInput,
        )
    });

    let engine = engine();
    let typical = Question::new("why does my back pain go down my leg?");
    c.bench_function("answer_typical_question", |b| {
        b.iter(|| engine.answer(black_box(&typical)))
    });

    let misspelled =
        Question::new("is siatica from a herniatd disk or stenossis, and can piriformus cause it");
    c.bench_function("answer_misspelled_question", |b| {
        b.iter(|| engine.answer(black_box(&misspelled)))
    });

    let red_flag =
        Question::new("I fell off a ladder and now I can't hold my pee and my legs are numb");
    c.bench_function("answer_red_flag_question", |b| {
        b.iter(|| engine.answer(black_box(&red_flag)))
    });

    let long = Question::new(long_message());
    c.bench_function("answer_4000_char_message", |b| {
        b.iter(|| engine.answer(black_box(&long)))
    });

    let batch: Vec<Question> = batch_questions().into_iter().map(Question::new).collect();
    c.bench_function("answer_dev_batch", |b| {
        b.iter(|| {
            batch
                .iter()
                .map(|q| engine.answer(black_box(q)).reply.to_plain().len())
                .sum::<usize>()
        })
    });
}

criterion_group!(engine_benches, benches);
criterion_main!(engine_benches);
