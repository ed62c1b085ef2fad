//! Who may do what: every admin action run as every role, through `actions` (where the rules
//! live, so the admin, the REST API and the CLI share them), and spot checks through HTTP.

use newsroom::actions::account::{self, NewAccount, ProfileForm};
use newsroom::actions::article::{self as edit, Edit, Saved};
use newsroom::actions::capability::{Actor, Role};
use newsroom::actions::comment::{Moderation, moderate_comment};
use newsroom::actions::publish::Draft;
use newsroom::actions::settings;
use newsroom::actions::term::{self as terms, TermForm};
use newsroom::db::article::{self as articles, status};
use newsroom::db::comment::{self, NewComment};
use newsroom::db::term;
use newsroom::db::user;

use crate::both_backends;
use crate::support::TestApp;

/// What each check needs: an actor of the role, and things that are and are not theirs.
struct Fixture {
    actor: Actor,
    own_draft: i64,
    own_published: i64,
    others_draft: i64,
    others_published: i64,
    page: i64,
    comment_on_own: i64,
    comment_on_others: i64,
    other_user: i64,
}

async fn fixture(app: &TestApp, role: Role) -> Fixture {
    let db = app.state.db();
    let tag = role.as_str();
    let me = app.user(&format!("{tag}@example.org"), role.as_str()).await;
    let other = app
        .user(&format!("{tag}-colleague@example.org"), "editor")
        .await;
    let article = |title: &str, author: i64, published: bool, kind: &str| {
        let mut d = Draft::article(title, "Text of the story.", vec![author]);
        d.kind = kind.into();
        if !published {
            d.status = status::DRAFT.into();
        }
        d
    };
    let own_draft = app
        .publish(&article(
            &format!("{tag} own draft"),
            me,
            false,
            articles::POST,
        ))
        .await;
    let own_published = app
        .publish(&article(
            &format!("{tag} own story"),
            me,
            true,
            articles::POST,
        ))
        .await;
    let others_draft = app
        .publish(&article(
            &format!("{tag} colleague draft"),
            other,
            false,
            articles::POST,
        ))
        .await;
    let others_published = app
        .publish(&article(
            &format!("{tag} colleague story"),
            other,
            true,
            articles::POST,
        ))
        .await;
    let page = app
        .publish(&article(
            &format!("{tag} page"),
            other,
            true,
            articles::PAGE,
        ))
        .await;
    let comment = |post_id: i64| NewComment {
        post_id,
        author_name: "Reader".into(),
        author_email: "reader@example.net".into(),
        content: format!("A comment on {post_id}"),
        status: comment::status::PENDING.into(),
        ..Default::default()
    };
    let comment_on_own = comment::insert(db, &comment(own_published))
        .await
        .expect("comment");
    let comment_on_others = comment::insert(db, &comment(others_published))
        .await
        .expect("comment");
    let u = user::get(db, me).await.expect("db").expect("user");
    Fixture {
        actor: Actor::user(&u, "192.0.2.1"),
        own_draft,
        own_published,
        others_draft,
        others_published,
        page,
        comment_on_own,
        comment_on_others,
        other_user: other,
    }
}

/// Save an existing article as it is (an edit that changes nothing), as the actor.
async fn resave(app: &TestApp, actor: &Actor, id: i64) -> bool {
    let db = app.state.db();
    let a = articles::get(db, id).await.expect("db").expect("article");
    let mut e = edit::edit_of(db, &a).await.expect("edit");
    if e.status == status::SCHEDULED {
        e.status = status::PUBLISHED.into();
    }
    matches!(
        edit::save(db, actor, Some(id), a.version, &e).await,
        Ok(Saved::Done { .. })
    )
}

fn new_edit(title: &str, status_: &str, me: Option<i64>) -> Edit {
    let mut e = Edit::blank(articles::POST);
    e.title = title.into();
    e.body = "Body".into();
    e.status = status_.into();
    e.author_ids = me.into_iter().collect();
    e
}

/// Run every action as `role`; the names of the actions allowed.
async fn allowed(app: &TestApp, role: Role) -> Vec<&'static str> {
    let db = app.state.db();
    let f = fixture(app, role).await;
    let a = &f.actor;
    let me = a.user_id;
    let mut out = Vec::new();
    let mut check = |name: &'static str, ok: bool| {
        if ok {
            out.push(name);
        }
    };
    check(
        "write a draft",
        matches!(
            edit::save(db, a, None, 0, &new_edit("Draft", status::DRAFT, me)).await,
            Ok(Saved::Done { .. })
        ),
    );
    check(
        "publish a new article",
        matches!(
            edit::save(db, a, None, 0, &new_edit("Out", status::PUBLISHED, me)).await,
            Ok(Saved::Done { .. })
        ),
    );
    check("edit own draft", resave(app, a, f.own_draft).await);
    check(
        "edit own published article",
        resave(app, a, f.own_published).await,
    );
    check("edit another's draft", resave(app, a, f.others_draft).await);
    check(
        "edit another's published article",
        resave(app, a, f.others_published).await,
    );
    check("edit a page", resave(app, a, f.page).await);
    check(
        "publish own draft",
        edit::publish(db, a, f.own_draft).await.is_ok(),
    );
    check(
        "add a correction to another's article",
        edit::add_correction(db, a, f.others_published, "Fixed a name.")
            .await
            .is_ok(),
    );
    check(
        "trash another's published article",
        edit::trash(db, a, f.others_published).await.is_ok(),
    );
    check(
        "moderate comments on own article",
        moderate_comment(db, a, f.comment_on_own, Moderation::Approve)
            .await
            .is_ok(),
    );
    check(
        "moderate comments on another's article",
        moderate_comment(db, a, f.comment_on_others, Moderation::Approve)
            .await
            .is_ok(),
    );
    check(
        "add a section",
        matches!(
            terms::save(
                db,
                a,
                term::CATEGORY,
                None,
                &TermForm {
                    name: format!("Section {}", role.as_str()),
                    ..Default::default()
                }
            )
            .await,
            Ok(Ok(_))
        ),
    );
    check(
        "add a user",
        matches!(
            account::add_user(
                db,
                a,
                &NewAccount {
                    email: format!("new-{}@example.org", role.as_str()),
                    role: "author".into(),
                    ..Default::default()
                }
            )
            .await,
            Ok(Ok(_))
        ),
    );
    check(
        "change another's role",
        account::change_role(db, a, f.other_user, "author")
            .await
            .is_ok(),
    );
    let profile = ProfileForm {
        display_name: "Renamed".into(),
        email: format!("{}-colleague@example.org", role.as_str()),
        ..Default::default()
    };
    check(
        "edit another's profile",
        matches!(
            account::update_profile(db, a, f.other_user, &profile).await,
            Ok(Ok(()))
        ),
    );
    let own = ProfileForm {
        display_name: format!("Me the {}", role.as_str()),
        email: format!("{}@example.org", role.as_str()),
        ..Default::default()
    };
    check(
        "edit own profile",
        matches!(
            account::update_profile(db, a, me.expect("user"), &own).await,
            Ok(Ok(()))
        ),
    );
    check(
        "change settings",
        matches!(
            settings::save(
                db,
                a,
                &[("tagline".into(), format!("Run by {}", role.as_str()))],
                &[]
            )
            .await,
            Ok(Ok(()))
        ),
    );
    check(
        "trash own draft",
        edit::trash(db, a, f.own_draft).await.is_ok(),
    );
    out
}

both_backends! {
    async fn every_admin_action_as_every_role(app) {
        let contributor = ["write a draft", "edit own draft", "edit own profile", "trash own draft"];
        let author = [
            "write a draft", "publish a new article", "edit own draft", "edit own published article",
            "publish own draft", "moderate comments on own article", "edit own profile", "trash own draft",
        ];
        let editor = [
            "write a draft", "publish a new article", "edit own draft", "edit own published article",
            "edit another's draft", "edit another's published article", "edit a page", "publish own draft",
            "add a correction to another's article", "trash another's published article",
            "moderate comments on own article", "moderate comments on another's article", "add a section",
            "edit own profile", "trash own draft",
        ];
        let administrator = [
            "write a draft", "publish a new article", "edit own draft", "edit own published article",
            "edit another's draft", "edit another's published article", "edit a page", "publish own draft",
            "add a correction to another's article", "trash another's published article",
            "moderate comments on own article", "moderate comments on another's article", "add a section",
            "add a user", "change another's role", "edit another's profile", "edit own profile", "change settings",
            "trash own draft",
        ];
        let expected: [(Role, &[&str]); 5] = [
            (Role::Subscriber, &["edit own profile"]),
            (Role::Contributor, &contributor),
            (Role::Author, &author),
            (Role::Editor, &editor),
            (Role::Administrator, &administrator),
        ];
        for (role, want) in expected {
            let got = allowed(&app, role).await;
            assert_eq!(got, want.to_vec(), "{role:?} may do exactly this");
        }
    }

    async fn the_admin_refuses_what_a_role_may_not_do(app) {
        let owner = app.user("owner@example.org", "editor").await;
        let mut d = crate::support::draft("Someone else's draft", owner);
        d.status = status::DRAFT.into();
        let theirs = app.publish(&d).await;
        let sub = app.signed_in_as("sub@example.org", "subscriber").await;
        assert_eq!(sub.get("/admin/").await.0, 200, "subscribers have a dashboard and a profile");
        assert_eq!(sub.get("/admin/posts").await.0, 403);
        let contributor = app.signed_in_as("con@example.org", "contributor").await;
        for path in ["/admin/settings", "/admin/users", "/admin/activity", "/admin/categories", "/admin/pages"] {
            let (status, html) = contributor.get(path).await;
            assert_eq!(status, 403, "{path}");
            assert!(html.contains("Sorry, you are not allowed to"), "{path}: a clear page");
        }
        assert_eq!(contributor.get(&format!("/admin/posts/{theirs}")).await.0, 403);
        let r = contributor.post("/admin/posts/new", &[("title", "Scoop"), ("body", "Text"), ("do", "publish")]).await;
        assert_eq!(r.status().as_u16(), 403, "a contributor cannot publish, even by forging the button");
        let nav = contributor.page("/admin/").await;
        assert!(!nav.contains("/admin/settings") && nav.contains("/admin/posts/new"), "the menu holds only what they may use");
        assert_eq!(articles::get(app.state.db(), theirs).await.expect("db").expect("row").status, status::DRAFT);
    }
}
