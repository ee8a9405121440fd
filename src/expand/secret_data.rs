//! A Secret's data as the API server stores it.

/// The decoded data of a Secret (`data` base64-decoded, `stringData` merged over it), sorted by
/// key. A sorted list, not a `BTreeMap`: a Secret holds a few keys, a map's first node takes
/// half a kilobyte whatever it holds, and the data of every Secret a DittoServer names stays
/// until the output is written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretData(Vec<(String, Vec<u8>)>);

impl SecretData {
    fn find(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    pub fn get(&self, key: &str) -> Option<&Vec<u8>> {
        self.find(key).ok().map(|i| &self.0[i].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// Sets `key`, replacing its value if it has one.
    pub fn insert(&mut self, key: String, value: Vec<u8>) {
        match self.find(&key) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (key, value)),
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<Vec<u8>> {
        self.find(key).ok().map(|i| self.0.remove(i).1)
    }
}

impl FromIterator<(String, Vec<u8>)> for SecretData {
    fn from_iter<I: IntoIterator<Item = (String, Vec<u8>)>>(iter: I) -> Self {
        let mut data = SecretData::default();
        for (k, v) in iter {
            data.insert(k, v);
        }
        data.0.shrink_to_fit();
        data
    }
}

/// The entries in key order.
impl IntoIterator for SecretData {
    type Item = (String, Vec<u8>);
    type IntoIter = std::vec::IntoIter<(String, Vec<u8>)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_sorted_and_the_last_value_wins() {
        let mut d: SecretData = [("b", "1"), ("a", "2"), ("b", "3")].into_iter().map(|(k, v)| (k.to_string(), v.into())).collect();
        d.insert("c".into(), b"4".to_vec());
        assert_eq!(d.get("b"), Some(&b"3".to_vec()));
        assert!(d.contains_key("a") && !d.contains_key("z"));
        assert_eq!(d.remove("a"), Some(b"2".to_vec()));
        let keys: Vec<String> = d.into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["b", "c"]);
    }
}
