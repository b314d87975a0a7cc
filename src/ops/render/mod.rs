//! Pure renderers: redacted objects in, kubectl-like text out. They fetch nothing and
//! import no fetching code (only `object`, `output`, `timefmt`, `quantity`, `json`).

pub mod changes;
pub mod describe;
pub mod diff;
pub mod endpoints;
pub mod events;
pub mod rollout;
