use std::collections::HashMap;

use partner_panel::kernel::{jobs, notify::Message};

use crate::support::*;

async fn queue_mails(app: &TestApp, n: usize) {
    for i in 0..n {
        let mut tx = app.state.db.begin().await.unwrap();
        partner_panel::kernel::notify::enqueue(
            &app.state,
            &mut tx,
            &Message::PasswordChanged {
                to: format!("user{i}@panel.test"),
                name: format!("User {i}"),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_draining_one_queue_send_each_mail_once() {
    let app = TestApp::spawn().await;
    let other = app.second_instance().await;
    queue_mails(&app, 40).await;
    let (a, b) = tokio::join!(jobs::run_due(&app.state), jobs::run_due(&other.state));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a + b, 40, "every job ran ({a} + {b})");
    let mut per_rcpt: HashMap<String, usize> = HashMap::new();
    for m in app.smtp.messages() {
        *per_rcpt.entry(m.to[0].clone()).or_default() += 1;
    }
    assert_eq!(per_rcpt.len(), 40);
    assert!(
        per_rcpt.values().all(|n| *n == 1),
        "a mail went twice: {per_rcpt:?}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM jobs WHERE status = 'done'")
            .await,
        40
    );
    other.stop().await;
}

#[tokio::test]
async fn failed_delivery_is_retried_with_backoff() {
    let app = TestApp::spawn().await;
    app.smtp.set_down(true);
    queue_mails(&app, 1).await;
    assert_eq!(app.run_jobs().await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM jobs WHERE status = 'pending' AND attempts = 1 AND last_error IS NOT NULL").await, 1);
    assert_eq!(app.run_jobs().await, 0, "not due again before its backoff");
    app.advance(11);
    assert_eq!(app.run_jobs().await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM jobs WHERE attempts = 2")
            .await,
        1
    );
    app.smtp.set_down(false);
    app.advance(21);
    assert_eq!(app.run_jobs().await, 1);
    assert_eq!(app.smtp.messages().len(), 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE status = 'sent' AND attempts = 3")
            .await,
        1
    );
}

#[tokio::test]
async fn a_job_whose_lease_ran_out_is_taken_again_and_released_leases_return_at_once() {
    let app = TestApp::spawn().await;
    queue_mails(&app, 2).await;
    let first = jobs::claim(&app.state).await.unwrap().expect("a job");
    let second = jobs::claim(&app.state).await.unwrap().expect("another job");
    assert_ne!(first.id, second.id);
    assert!(
        jobs::claim(&app.state).await.unwrap().is_none(),
        "both are leased"
    );
    // This instance shuts down: its leases go back at once.
    assert_eq!(jobs::release_leases(&app.state).await.unwrap(), 2);
    assert_eq!(app.run_jobs().await, 2);
    assert_eq!(app.smtp.messages().len(), 2);

    // A crashed instance never releases: after the lease (5 minutes) another takes the job.
    queue_mails(&app, 1).await;
    let crashed = app.second_instance().await;
    let job = jobs::claim(&crashed.state).await.unwrap().expect("a job");
    assert_eq!(app.run_jobs().await, 0);
    app.advance(5 * 60 + 1);
    assert_eq!(app.run_jobs().await, 1);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM jobs WHERE id = {} AND status = 'done'",
            job.id
        ))
        .await,
        1
    );
    crashed.stop().await;
}

#[tokio::test]
async fn the_worker_delivers_in_the_background() {
    let app = TestApp::spawn_with(|c| {
        c.run_worker = true;
        c.worker_poll = std::time::Duration::from_millis(50);
    })
    .await;
    queue_mails(&app, 3).await;
    for _ in 0..200 {
        if app.smtp.messages().len() == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(app.smtp.messages().len(), 3);
}
