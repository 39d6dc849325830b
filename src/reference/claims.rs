//! Claims about reference models in prose and tables.
