//! The native command line over the analysis half.
