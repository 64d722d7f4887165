//! SIGINT, SIGTERM and SIGHUP while a command runs: virtsh dies of the
//! signal as virsh does (same status for the shell), and leaves no
//! temporary file behind — virsh leaves the file its editor had open.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::harness::{self, Run, Sandbox};

/// An editor that signals its whole process group (virtsh, or virsh and
/// its `sh`) and would then take its time.
fn signalling_editor(sandbox: &Sandbox, signal: &str) -> String {
    let path = sandbox.root.join(format!("editor-{signal}"));
    std::fs::write(&path, format!("#!/bin/sh\nkill -s {signal} 0\nsleep 10\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.display().to_string()
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_signal_during_edit_ends_the_process_and_removes_the_temporary_file() {
    for (signal, number) in [("INT", 2), ("TERM", 15), ("HUP", 1)] {
        for program in [harness::virtsh_path(), harness::virsh_path()] {
            let sandbox = Sandbox::new("signals");
            let mut env = sandbox.base_env();
            env.push(("EDITOR".into(), signalling_editor(&sandbox, signal)));
            let args: Vec<String> = ["-c", "test:///default", "edit", "test"]
                .iter()
                .map(|s| s.to_string())
                .collect();
            let out = harness::run(&Run {
                program: &program,
                args: &args,
                env: &env,
                stdin: None,
                cwd: &sandbox.work(),
                timeout: std::time::Duration::from_secs(30),
                merge_stderr: false,
            });
            assert!(
                !out.timed_out,
                "{}: SIG{signal} did not end it",
                program.display()
            );
            assert_eq!(
                out.signal,
                Some(number),
                "{} SIG{signal}: {}",
                program.display(),
                out.status_text()
            );
            let left = leftovers(&sandbox.tmpdir());
            if program == harness::virtsh_path() {
                assert_eq!(
                    left,
                    Vec::<String>::new(),
                    "SIG{signal} left files in $TMPDIR"
                );
            } else {
                // virsh leaves its file: proof that the editor ran.
                assert_eq!(left.len(), 1, "virsh SIG{signal}: {left:?}");
            }
        }
    }
}

/// `save` writes its image beside the target and renames it: a save over
/// an existing image never leaves a mix, and nothing else in the directory.
#[test]
fn save_replaces_an_image_whole() {
    let sandbox = Sandbox::new("signals-save");
    let image = sandbox.work().join("test.img");
    std::fs::write(&image, "an older image that is longer than nothing at all").unwrap();
    std::fs::set_permissions(&image, std::fs::Permissions::from_mode(0o640)).unwrap();
    let args: Vec<String> = [
        "-c",
        "test:///default",
        "save test test.img; restore test.img",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let out = harness::run(&Run {
        program: &harness::virtsh_path(),
        args: &args,
        env: &sandbox.base_env(),
        stdin: None,
        cwd: &sandbox.work(),
        timeout: std::time::Duration::from_secs(30),
        merge_stderr: false,
    });
    assert_eq!(out.code, Some(0), "{}", out.stderr_str());
    assert_eq!(leftovers(&sandbox.work()), ["test.img"]);
    let mode = std::fs::metadata(&image).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o640);
    assert!(std::fs::read(&image)
        .unwrap()
        .starts_with(b"TestGuestMagic\0"));
}
