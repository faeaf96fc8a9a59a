//! Answers one question many times, for a profiler (`valgrind --tool=callgrind`).
//! `cargo run --release --example profile_answer -- "question" 1000`
use backleg::domain::{EngineOptions, Question};

fn main() {
    let mut args = std::env::args().skip(1);
    let text = args
        .next()
        .unwrap_or_else(|| "why does my back pain go down my leg?".to_owned());
    let n: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(1000);
    let engine = backleg::kb_files::load_engine(None, &EngineOptions::default())
        .expect("built-in knowledge base");
    let question = Question::new(text);
    let mut total = 0;
    for _ in 0..n {
        total += engine
            .answer(std::hint::black_box(&question))
            .reply
            .sections
            .len();
    }
    println!("{total}");
}
