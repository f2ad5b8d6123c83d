// Writes the golden run.json files of tests/fixtures with the real
// serde_json::to_string_pretty, from the RunMetadata / ConfigSummary structs
// exactly as the Rust original declares them, and checks that serde reads a
// file written by the TypeScript side. Run by scripts/check_serde_fixtures.sh.
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct RunMetadata {
    run_id: String,
    started_at_utc: String,
    command: String,
    resume: bool,
    repo_root: String,
    ralph_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pid: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    config_summary: Option<ConfigSummary>,
}

#[derive(Serialize, Deserialize)]
struct ConfigSummary {
    #[serde(skip_serializing_if = "Option::is_none")]
    developer_agent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reviewer_agent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_iterations: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_reviewer_passes: Option<u32>,
}

fn main() {
    let full = RunMetadata {
        run_id: "2026-02-06_14-03-27.123Z".into(),
        started_at_utc: "2026-02-06T14:03:27.123Z".into(),
        command: "ralph".into(),
        resume: false,
        repo_root: "/tmp/test".into(),
        ralph_version: "0.6.3".into(),
        pid: Some(12345),
        config_summary: Some(ConfigSummary {
            developer_agent: Some("claude".into()),
            reviewer_agent: Some("claude".into()),
            total_iterations: Some(3),
            total_reviewer_passes: Some(1),
        }),
    };
    let sparse = RunMetadata {
        run_id: "2026-02-06_14-03-27.123Z-02".into(),
        started_at_utc: "2026-02-06T14:03:27.123Z".into(),
        command: "ralph --resume\t\"quoted\" \\ \u{1} ünïcödé".into(),
        resume: true,
        repo_root: "/tmp/test".into(),
        ralph_version: "0.6.3".into(),
        pid: None,
        config_summary: Some(ConfigSummary {
            developer_agent: None,
            reviewer_agent: None,
            total_iterations: Some(4294967295),
            total_reviewer_passes: None,
        }),
    };
    let args: Vec<String> = std::env::args().collect();
    let (out_dir, ts_written) = (&args[1], &args[2]);
    std::fs::write(format!("{out_dir}/rust_run.json"), serde_json::to_string_pretty(&full).unwrap()).unwrap();
    std::fs::write(format!("{out_dir}/rust_run_sparse.json"), serde_json::to_string_pretty(&sparse).unwrap())
        .unwrap();
    // Reading back a file the TypeScript side wrote, with an unknown key.
    let parsed: RunMetadata = serde_json::from_str(&std::fs::read_to_string(ts_written).unwrap()).unwrap();
    println!("serde read the TypeScript run.json: run_id={} pid={:?}", parsed.run_id, parsed.pid);
}
