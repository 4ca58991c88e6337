//! Idle sockets cannot lock anyone out: a client that opens more connections than the
//! node serves at once and never sends a byte holds them only until the header-read
//! timeout, and a normal request still answers within a couple of seconds. The node
//! runs in a child process with 400 file descriptors (`ulimit -n`), so a node without a
//! connection limit runs out of them and stops accepting.

mod devnet_support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use devnet_support::*;

/// The child: an in-memory devnet, printing its URL, serving until killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the child process of idle_sockets_beyond_the_limit_do_not_lock_anyone_out"]
async fn child_node() {
    let mut node = start_plain().await;
    println!("READY {}", node.url());
    node.wait().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_sockets_beyond_the_limit_do_not_lock_anyone_out() {
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new("bash")
        .arg("-c")
        .arg("ulimit -n 400; exec \"$0\" child_node --exact --ignored --nocapture --test-threads=1")
        .arg(exe)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the child starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("the child prints READY").unwrap();
        if let Some((_, url)) = line.split_once("READY ") {
            break url.trim().to_string();
        }
    };
    let addr = url.trim_start_matches("http://").to_string();

    // More silent connections than the node has descriptors for.
    let mut idle = Vec::new();
    for _ in 0..450 {
        idle.push(
            tokio::net::TcpStream::connect(&addr)
                .await
                .expect("connects"),
        );
    }
    tokio::time::sleep(Duration::from_millis(200)).await;

    let asked = Instant::now();
    let answered = tokio::time::timeout(
        Duration::from_secs(8),
        reqwest::Client::new().get(format!("{url}/v2/info")).send(),
    )
    .await;
    let took = asked.elapsed();
    child.kill().unwrap();
    child.wait().unwrap();
    let response = answered
        .expect("a normal request answers while idle sockets are open")
        .expect("the request succeeds");
    assert_eq!(response.status(), 200);
    assert!(
        took < Duration::from_secs(4),
        "answered only after {took:?}"
    );
    drop(idle);
}
