//! The test driver's node file (`test:///PATH.xml`).
