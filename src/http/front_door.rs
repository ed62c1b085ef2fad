//! The way in: a reader's GET for a page the cache keeps is answered here, before routing and
//! the middleware layers (each of which costs every request); everything else goes on to the
//! router, whose `page_cache` layer builds and keeps pages.

use std::convert::Infallible;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::Router;
use axum::extract::Request;
use axum::response::Response;
use futures_util::future::{Either, Ready, ready};
use tower::Service;

use crate::app::AppState;
use crate::http::metrics::Seen;
use crate::http::page_cache;

/// The site's service: kept pages at the door, the router behind it.
#[derive(Clone)]
pub struct FrontDoor {
    state: AppState,
    router: Router,
}

impl FrontDoor {
    /// The door in front of `router`.
    pub fn new(state: AppState, router: Router) -> FrontDoor {
        FrontDoor { state, router }
    }

    /// The service `axum::serve` takes, telling each request the peer's address.
    pub fn into_make_service_with_connect_info<C>(
        self,
    ) -> axum::extract::connect_info::IntoMakeServiceWithConnectInfo<FrontDoor, C> {
        axum::ServiceExt::<Request>::into_make_service_with_connect_info(self)
    }
}

impl Service<Request> for FrontDoor {
    type Response = Response;
    type Error = Infallible;
    type Future = Either<Ready<Result<Response, Infallible>>, <Router as Service<Request>>::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Service::<Request>::poll_ready(&mut self.router, cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let started = Instant::now();
        match page_cache::answer_at_the_door(&self.state, &request) {
            Some(mut response) => {
                let seen = Seen::new(&request, started);
                if seen.logs_access() {
                    // Its log line names the request like every other one (track's span).
                    let span = crate::http::request_id::span(&seen.id);
                    span.in_scope(|| seen.finish(&self.state, &mut response));
                } else {
                    seen.finish(&self.state, &mut response);
                }
                Either::Left(ready(Ok(response)))
            }
            None => Either::Right(self.router.call(request)),
        }
    }
}
