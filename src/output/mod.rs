//! virsh-exact text output.
