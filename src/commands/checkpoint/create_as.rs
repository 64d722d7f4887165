use crate::api::flags::checkpoint_create as f;
use crate::api::flags::list;
use crate::commands::values::XmlDocument;
use crate::commands::{Args, CmdResult, CommandDef, Group, OptDef, Session};
use crate::model::checkpoint::build_create_as_xml;

pub static DEF: CommandDef = CommandDef {
    name: "checkpoint-create-as",
    group: Group::Checkpoint,
    summary: "create a checkpoint from options",
    description: "Create a checkpoint described by options: a name, a description and \
what happens to each disk (--diskspec DISK[,checkpoint=bitmap|no][,bitmap=NAME]); \
--print-xml shows the XML instead.",
    options: &[
        OptDef::domain_where(list::ACTIVE),
        OptDef::string("name", "name of the checkpoint"),
        OptDef::string("description", "description of the checkpoint"),
        OptDef::flag(
            "print-xml",
            "print the XML instead of creating the checkpoint",
        ),
        OptDef::flag("quiesce", "quiesce the guest's file systems"),
        OptDef::argv("diskspec", "a disk: DISK[,checkpoint=TYPE][,bitmap=NAME]"),
    ],
    needs_connection: true,
    run,
};

fn run(session: &mut Session, args: &Args) -> CmdResult {
    let dom = session.lookup_domain(args, "domain")?;
    let name = args.get("name")?;
    let description = args.get("description")?;
    let xml = build_create_as_xml(name, description, &args.all("diskspec"))
        .map_err(crate::commands::snapshot::spec_error)?;
    if args.has("print-xml") {
        session.emit(&XmlDocument::line(xml));
        return Ok(());
    }
    super::create(
        session,
        &dom,
        &xml,
        args.flags(&[("quiesce", f::QUIESCE)]),
        None,
    )
}
