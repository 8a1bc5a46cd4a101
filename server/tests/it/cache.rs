//! The deployment's cache behaves the same in process (standalone, on SQLite here) and
//! in Redis (shared): windowed counters, values with expiry, read-through that a
//! change makes every instance drop, and maps of fields.
use std::time::Duration;

use crate::backend_test;
use crate::common::{Backend, TestApp};

async fn counters_and_values_behave_alike(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cache = app.services().cache();
    assert_eq!(
        cache.service(),
        (backend == Backend::PostgresRedis).then_some("redis"),
        "readiness checks the service the cache lives in"
    );
    let window = Duration::from_secs(60);
    assert_eq!(cache.incr_window("t:count", window).await.unwrap().count, 1);
    let second = cache.incr_window("t:count", window).await.unwrap();
    assert_eq!(second.count, 2);
    assert!(second.resets_in <= window && second.resets_in > Duration::from_secs(50));
    assert_eq!(cache.peek("t:count").await.unwrap().unwrap().count, 2);
    cache.reset("t:count").await.unwrap();
    assert!(cache.peek("t:count").await.unwrap().is_none());

    cache
        .put_json("t:value", &vec![1, 2, 3], Duration::from_millis(300))
        .await
        .unwrap();
    assert_eq!(
        cache.get_json::<Vec<i32>>("t:value").await.unwrap(),
        Some(vec![1, 2, 3])
    );
    assert_eq!(
        cache.get_json::<String>("t:value").await.unwrap(),
        None,
        "another type"
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        cache.get_json::<Vec<i32>>("t:value").await.unwrap(),
        None,
        "expired"
    );

    cache
        .field_put("t:map", "a", "1".into(), window)
        .await
        .unwrap();
    cache
        .field_put("t:map", "b", "2".into(), window)
        .await
        .unwrap();
    let mut fields = cache.fields("t:map").await.unwrap();
    fields.sort();
    assert_eq!(
        fields,
        vec![("a".into(), "1".into()), ("b".into(), "2".into())]
    );
    cache.field_remove("t:map", &["a".into()]).await.unwrap();
    assert_eq!(cache.fields("t:map").await.unwrap().len(), 1);
}
backend_test!(counters_and_values_behave_alike);

async fn read_through_is_dropped_by_a_change_on_any_instance(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cache = app.services().cache();
    let ttl = Duration::from_secs(60);
    let read = |v: u32| cache.read_through("t:row", ttl, async move { Ok(Some(v)) });
    assert_eq!(read(1).await.unwrap(), Some(1));
    assert_eq!(read(2).await.unwrap(), Some(1), "kept");
    cache.changed("t:row").await.unwrap();
    assert_eq!(read(3).await.unwrap(), Some(3), "a change drops it");

    // A load that raced a write keeps nothing usable.
    let raced = cache
        .read_through("t:row2", ttl, async {
            cache.changed("t:row2").await.unwrap();
            Ok(Some(10u32))
        })
        .await
        .unwrap();
    assert_eq!(raced, Some(10));
    assert_eq!(
        cache
            .read_through("t:row2", ttl, async { Ok(Some(11u32)) })
            .await
            .unwrap(),
        Some(11),
        "the raced value is not used"
    );

    if backend == Backend::PostgresRedis {
        // A second instance shares what is kept and sees the first one's changes.
        let other = app.another_instance(&[("JOB_WORKERS", "0")]).await;
        let theirs = other.services().cache();
        assert_eq!(
            theirs
                .read_through("t:row", ttl, async { Ok(Some(99u32)) })
                .await
                .unwrap(),
            Some(3),
            "kept in Redis for every instance"
        );
        cache.changed("t:row").await.unwrap();
        assert_eq!(
            theirs
                .read_through("t:row", ttl, async { Ok(Some(4u32)) })
                .await
                .unwrap(),
            Some(4),
            "a change through one instance drops it for the other"
        );
    }
}
backend_test!(read_through_is_dropped_by_a_change_on_any_instance);
