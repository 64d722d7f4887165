//! Mutations: byte-level edits, dictionary words, splicing with other corpus
//! entries, and growth that repeats or nests a chunk many times, since the
//! failures that matter most here are deep nesting and super-linear work.

/// xorshift64*: fast, and reproducible from a seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    /// A count from 1 up to `max`, small ones far more likely.
    pub fn count(&mut self, max: usize) -> usize {
        let bits = usize::BITS - max.max(1).leading_zeros();
        let top = 1usize << self.below(bits as usize + 1);
        (1 + self.below(top)).min(max.max(1))
    }
}

/// Numbers that sit on the edges parsers get wrong.
const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "7",
    "8",
    "15",
    "16",
    "127",
    "128",
    "255",
    "256",
    "1023",
    "1024",
    "4095",
    "4096",
    "65535",
    "65536",
    "2147483647",
    "2147483648",
    "-2147483648",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999",
    "0x10",
    "0x",
    "0xffffffffffffffff",
    "010",
    "08",
    "1e3",
    "1.5",
    ".5",
    "5.",
    "+1",
    "--1",
    " 1",
    "1 ",
    "1e308",
    "1e309",
    "NaN",
    "inf",
    "-inf",
    "0-4095",
    "0-65535",
    "0,^0",
    "1-0",
    "40000",
];

/// Bytes that are not what an ASCII-minded parser expects.
const ODD_BYTES: &[&[u8]] = &[
    b"\xef\xbb\xbf",
    b"\xfe\xff",
    b"\xff\xfe",
    "é".as_bytes(),
    "\u{a0}".as_bytes(),
    "\u{2028}".as_bytes(),
    "\u{1f600}".as_bytes(),
    "\u{301}".as_bytes(),
    "\u{200b}".as_bytes(),
    "ＫｉＢ".as_bytes(),
    "İ".as_bytes(),
    b"\x00",
    b"\r",
    b"\r\n",
    b"\t",
    b"\x7f",
    b"\xc3",
    b"\x80",
    b"\xff",
];

pub struct Mutator<'a> {
    pub rng: &'a mut Rng,
    pub dict: &'a [Vec<u8>],
    pub max_len: usize,
}

impl Mutator<'_> {
    /// Applies a few stacked mutations to `data`; `other` is another corpus
    /// entry to splice with.
    pub fn mutate(&mut self, data: &mut Vec<u8>, other: &[u8]) {
        let rounds = self.rng.count(8);
        for _ in 0..rounds {
            self.once(data, other);
        }
        data.truncate(self.max_len);
    }

    fn once(&mut self, data: &mut Vec<u8>, other: &[u8]) {
        let len = data.len();
        match self.rng.below(20) {
            0 if len > 0 => {
                let i = self.rng.below(len);
                data[i] ^= 1 << self.rng.below(8);
            }
            1 if len > 0 => {
                let i = self.rng.below(len);
                data[i] = self.rng.next() as u8;
            }
            2 if len > 0 => {
                let i = self.rng.below(len);
                let d = 1 + self.rng.below(4) as u8;
                data[i] = if self.rng.one_in(2) {
                    data[i].wrapping_add(d)
                } else {
                    data[i].wrapping_sub(d)
                };
            }
            3 | 4 if len > 0 => {
                let (a, b) = self.range(data);
                data.drain(a..b);
            }
            5 => {
                let n = self.rng.count(16);
                let at = self.point(data);
                let bytes: Vec<u8> = (0..n).map(|_| self.rng.next() as u8).collect();
                self.insert(data, at, &bytes);
            }
            6 if len > 0 => {
                let (a, b) = self.range(data);
                let chunk = data[a..b].to_vec();
                let at = self.point(data);
                self.insert(data, at, &chunk);
            }
            7..=9 if !self.dict.is_empty() => {
                let word = self.dict[self.rng.below(self.dict.len())].clone();
                let at = self.point(data);
                if self.rng.one_in(3) && at < len {
                    let end = (at + word.len()).min(len);
                    data.splice(at..end, word);
                } else {
                    self.insert(data, at, &word);
                }
            }
            10 => {
                let word = NUMBERS[self.rng.below(NUMBERS.len())].as_bytes();
                self.put_number(data, word);
            }
            11 => {
                let word = ODD_BYTES[self.rng.below(ODD_BYTES.len())];
                let at = self.point(data);
                self.insert(data, at, word);
            }
            12 | 13 if !other.is_empty() => self.splice(data, other),
            14 | 15 if len > 0 => self.repeat(data),
            16 | 17 if len > 0 => self.nest(data),
            18 if len > 1 => {
                let at = self.rng.below(len);
                data.truncate(at.max(1));
            }
            _ if len > 1 => {
                // Swap two bytes: reorders quotes, brackets and separators.
                let (i, j) = (self.rng.below(len), self.rng.below(len));
                data.swap(i, j);
            }
            _ => {
                let at = self.point(data);
                let b = self.rng.next() as u8;
                self.insert(data, at, &[b]);
            }
        }
    }

    /// A position: half the time right after a delimiter, where tokens begin.
    fn point(&mut self, data: &[u8]) -> usize {
        let len = data.len();
        if len == 0 {
            return 0;
        }
        let at = self.rng.below(len + 1);
        if self.rng.one_in(2) {
            if let Some(p) = data[at..]
                .iter()
                .position(|b| b" <>'\"=;/\n\t,-:".contains(b))
            {
                return at + p + 1;
            }
        }
        at
    }

    /// A non-empty range, often short.
    fn range(&mut self, data: &[u8]) -> (usize, usize) {
        let len = data.len();
        let a = self.point(data).min(len - 1);
        let n = self.rng.count(len - a);
        (a, a + n)
    }

    fn insert(&mut self, data: &mut Vec<u8>, at: usize, bytes: &[u8]) {
        let room = self.max_len.saturating_sub(data.len());
        let bytes = &bytes[..bytes.len().min(room)];
        data.splice(at..at, bytes.iter().copied());
    }

    /// Replaces a run of digits with an edge number, or inserts one.
    fn put_number(&mut self, data: &mut Vec<u8>, word: &[u8]) {
        let digits: Vec<usize> = (0..data.len())
            .filter(|&i| data[i].is_ascii_digit())
            .collect();
        if !digits.is_empty() && self.rng.one_in(2) {
            let mut a = digits[self.rng.below(digits.len())];
            while a > 0 && data[a - 1].is_ascii_digit() {
                a -= 1;
            }
            let mut b = a;
            while b < data.len() && data[b].is_ascii_digit() {
                b += 1;
            }
            data.splice(a..b, word.iter().copied());
        } else {
            let at = self.point(data);
            self.insert(data, at, word);
        }
    }

    /// Crossover: the start of one entry with the rest of the other, or a
    /// chunk of the other inserted.
    fn splice(&mut self, data: &mut Vec<u8>, other: &[u8]) {
        let cut = self.rng.below(other.len());
        if self.rng.one_in(2) {
            let keep = self.rng.below(data.len() + 1);
            data.truncate(keep);
            let room = self.max_len.saturating_sub(data.len());
            data.extend_from_slice(&other[cut..other.len().min(cut + room)]);
        } else {
            let n = self.rng.count(other.len() - cut);
            let at = self.point(data);
            let chunk = other[cut..cut + n].to_vec();
            self.insert(data, at, &chunk);
        }
    }

    /// A chunk repeated many times in place: many disks, many attributes,
    /// long words.
    fn repeat(&mut self, data: &mut Vec<u8>) {
        let (a, b) = match self.element(data) {
            Some((a, _, _, d)) if self.rng.one_in(2) => (a, d),
            _ => self.range(data),
        };
        let chunk = data[a..b].to_vec();
        let times = self
            .rng
            .count(self.max_len.saturating_sub(data.len()) / chunk.len());
        let grown: Vec<u8> = chunk
            .iter()
            .copied()
            .cycle()
            .take(chunk.len() * times)
            .collect();
        data.splice(b..b, grown);
    }

    /// A chunk nested in itself many times: an element inside copies of its
    /// own start and end tags, or any two ranges repeated around the text
    /// between them.
    fn nest(&mut self, data: &mut Vec<u8>) {
        let (a, b, c, d) = match self.element(data) {
            Some(e) => e,
            None => {
                let (a, b) = self.range(data);
                let rest = &data[b..];
                let c = b + self.rng.below(rest.len() + 1);
                let d = c + self.rng.below(data.len() - c + 1);
                (a, b, c, d)
            }
        };
        let open = data[a..b].to_vec();
        let close = data[c..d].to_vec();
        let unit = (open.len() + close.len()).max(1);
        let depth = self
            .rng
            .count(self.max_len.saturating_sub(data.len()) / unit);
        let mut out = Vec::with_capacity(data.len() + unit * depth);
        out.extend_from_slice(&data[..a]);
        for _ in 0..depth {
            out.extend_from_slice(&open);
        }
        out.extend_from_slice(&data[a..d]);
        for _ in 0..depth {
            out.extend_from_slice(&close);
        }
        out.extend_from_slice(&data[d..]);
        *data = out;
    }

    /// An element of an XML-looking input: the bounds of its start tag
    /// (a..b) and of its end tag (c..d).
    fn element(&mut self, data: &[u8]) -> Option<(usize, usize, usize, usize)> {
        let starts: Vec<usize> = (0..data.len().saturating_sub(1))
            .filter(|&i| data[i] == b'<' && data[i + 1].is_ascii_alphabetic())
            .collect();
        for _ in 0..4 {
            let a = *starts.get(self.rng.below(starts.len()))?;
            let name_end = a
                + 1
                + data[a + 1..]
                    .iter()
                    .position(|b| !(b.is_ascii_alphanumeric() || b"_-:.".contains(b)))?;
            let b = name_end + data[name_end..].iter().position(|&c| c == b'>')? + 1;
            if data[b - 2] == b'/' {
                return Some((a, b, b, b));
            }
            let mut close = b"</".to_vec();
            close.extend_from_slice(&data[a + 1..name_end]);
            close.push(b'>');
            if let Some(p) = data[b..]
                .windows(close.len())
                .position(|w| w == close.as_slice())
            {
                let c = b + p;
                return Some((a, b, c, c + close.len()));
            }
        }
        None
    }
}
