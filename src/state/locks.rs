//! Lock changes: the action a page creates for one artifact, which PATCHes only the flags the
//! user changed and yields the attributes the registry returned (or the problem).
//!
//! STUB: the interface below is fixed; the implementation is being written.
