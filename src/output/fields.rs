//! virsh's `Label:   value` blocks (dominfo, nodeinfo, domblkinfo): each
//! label left-aligned in a column of fixed width, one space, the value.

use std::fmt::Display;

pub struct Fields {
    width: usize,
    text: String,
}

impl Fields {
    pub fn new(width: usize) -> Fields {
        Fields {
            width,
            text: String::new(),
        }
    }

    pub fn line(&mut self, label: &str, value: impl Display) -> &mut Fields {
        self.text
            .push_str(&format!("{label:<width$} {value}\n", width = self.width));
        self
    }

    /// A line that is not a field (a `-d` note virsh prints mid-block).
    pub fn raw(&mut self, text: &str) -> &mut Fields {
        self.text.push_str(text);
        self.text.push('\n');
        self
    }

    pub fn finish(&mut self) -> String {
        std::mem::take(&mut self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned() {
        let text = Fields::new(8).line("Name:", "test").line("Id:", 1).finish();
        assert_eq!(text, "Name:    test\nId:      1\n");
    }
}
