//! When not even one object fits the answer budget as a JSON or YAML document, the cut note
//! says which cheaper output of the same objects would: an empty `List` that only counts
//! what it left out leaves the reader (often a model) guessing how to ask again.
//!
//! Measured on what was read, not guessed: the first document's size, and the `-o name`
//! lines of the objects read, scaled to every object the answer counted.

/// What the documents read so far would cost in cheaper outputs.
#[derive(Debug, Default)]
pub struct Cheaper {
    /// The first document's size, in bytes.
    first: Option<usize>,
    /// How many objects were read (rendered).
    read: usize,
    /// The bytes of their `-o name` lines (`pod/web-1` and a newline).
    name_bytes: usize,
}

impl Cheaper {
    /// Count one object read: its document's size and its `-o name` line's (`TYPE/NAME`).
    pub fn see(&mut self, doc_bytes: usize, name_line_bytes: usize) {
        self.first.get_or_insert(doc_bytes);
        self.read += 1;
        self.name_bytes += name_line_bytes + 1;
    }

    /// The note's remark when no document was shown although `total` objects were counted
    /// (read or not fetched) in a budget of `max` bytes; `None` when one was shown.
    pub fn remark(&self, shown: usize, total: usize, max: usize, format: &str) -> Option<String> {
        let first = self.first.filter(|_| shown == 0)?;
        let fields = "-o custom-columns|jsonpath with only the fields needed";
        if total <= 1 {
            return Some(format!(
                "not even this one object fits as {format} (it is {first} bytes): the table, \
                 describe, or {fields} would fit"
            ));
        }
        // The objects not read are as long-named, on average, as those read.
        let names = (self.name_bytes * total).div_ceil(self.read.max(1));
        let fits = if names < max { "fits" } else { "narrow first" };
        Some(format!(
            "not even one object fits as {format} (the first is {first} bytes): cheaper outputs \
             of the same {total} objects are -o name (about {names} bytes: {fits}), the table \
             (one line an object) or {fields}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_that_shows_no_document_names_the_cheaper_outputs_and_their_cost() {
        let mut c = Cheaper::default();
        assert_eq!(
            c.remark(0, 0, 4096, "JSON"),
            None,
            "nothing read: nothing to say"
        );
        c.see(5000, "pod/web-1".len());
        c.see(5200, "pod/web-22".len());
        let r = c.remark(0, 40, 4096, "JSON").unwrap();
        assert!(r.contains("the first is 5000 bytes"), "{r}");
        assert!(r.contains("-o name (about 420 bytes: fits)"), "{r}");
        assert!(r.contains("the table"), "{r}");
        let r = c.remark(0, 1000, 4096, "YAML").unwrap();
        assert!(
            r.contains("as YAML") && r.contains("10500 bytes: narrow first"),
            "{r}"
        );
        assert_eq!(c.remark(1, 40, 4096, "JSON"), None, "one was shown");
        let mut one = Cheaper::default();
        one.see(9000, 10);
        let r = one.remark(0, 1, 4096, "JSON").unwrap();
        assert!(
            r.contains("this one object") && !r.contains("-o name"),
            "{r}"
        );
    }
}
