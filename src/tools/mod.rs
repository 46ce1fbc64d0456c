//! What measures or supports the lessons but is not one of them: no
//! tutorial step leads here, and no lesson depends on it.

pub mod lab;
pub mod ladder;
pub mod load;
