//! Texts holding a credential in every syntax issue 27's adversarial pass found, with the
//! secret parts: planted by `tests/redaction_classes.rs` (through the library) and
//! `tests/e2e_redaction_classes.rs` (on the real testbed, through every op and transport).

/// Texts that hold a credential, by class (issue 27's list), with the secret parts.
pub fn cases() -> Vec<(&'static str, String, Vec<&'static str>)> {
    let c = |what, text: &str, secrets: &[&'static str]| (what, text.to_string(), secrets.to_vec());
    vec![
        // 1. A sensitive key whose value is not a string (as text: JSON documents).
        c(
            "json array",
            r#"{"password": ["Arr4yPw1", "Arr4yPw2"]}"#,
            &["Arr4yPw1", "Arr4yPw2"],
        ),
        c(
            "json nested value",
            r#"{"apiToken": {"value": "N3stedTok"}}"#,
            &["N3stedTok"],
        ),
        c(
            "json number",
            r#"{"apiKey": 44771234567}"#,
            &["44771234567"],
        ),
        c(
            "json name/value",
            r#"[{"name": "DB_PASSWORD", "value": "NvPair99"}]"#,
            &["NvPair99"],
        ),
        c(
            "json key/value",
            r#"{"key": "password", "value": "KvPair77"}"#,
            &["KvPair77"],
        ),
        c(
            "tekton default",
            r#"{"name": "db-password", "default": "TknDef55"}"#,
            &["TknDef55"],
        ),
        c(
            "json raw value",
            r#"{"name": "DB_PASSWORD", "value": {"raw": "RawVal33"}}"#,
            &["RawVal33"],
        ),
        c(
            "spring json",
            r#"{"spring":{"datasource":{"url":"jdbc:x","password":"Spr1ngPw"}}}"#,
            &["Spr1ngPw"],
        ),
        c(
            "json in text",
            r#"config loaded {"password": ["InTxtArr9"]} ok"#,
            &["InTxtArr9"],
        ),
        c(
            "json obj in text",
            r#"cfg={"apiToken": {"value": "InTxtObj8"}}"#,
            &["InTxtObj8"],
        ),
        c(
            "escaped json",
            r#"{\"password\":\"EscJs0n1\"}"#,
            &["EscJs0n1"],
        ),
        // 2. Documents inside strings.
        c(
            "yaml block literal",
            "db:\n  password: |\n    BlockLit01\n    BlockLit02\n  user: app\n",
            &["BlockLit01", "BlockLit02"],
        ),
        c(
            "yaml folded",
            "password: >-\n  F0ldedPw\nother: 1\n",
            &["F0ldedPw"],
        ),
        c(
            "yaml anchor",
            "password: &pw Anch0rPw\ncopy: *pw\n",
            &["Anch0rPw"],
        ),
        c("yaml tag", "password: !!str T4ggedPw\n", &["T4ggedPw"]),
        c(
            "yaml list",
            "tokens:\n  - L1stTok1\n  - L1stTok2\nname: x\n",
            &["L1stTok1", "L1stTok2"],
        ),
        c(
            "yaml seq same indent",
            "secrets:\n- SeqSame1\n- SeqSame2\nname: x\n",
            &["SeqSame1", "SeqSame2"],
        ),
        c(
            "yaml nested map",
            "credentials:\n  user: bob\n  pass: N3stMapPw\nport: 1\n",
            &["N3stMapPw"],
        ),
        c(
            "xml element",
            "<config><password>XmlPw001</password></config>",
            &["XmlPw001"],
        ),
        c(
            "xml cdata",
            "<db><secret><![CDATA[CdataPw9]]></secret></db>",
            &["CdataPw9"],
        ),
        c(
            "xml ns",
            "<a:clientSecret>NsSecr3t</a:clientSecret>",
            &["NsSecr3t"],
        ),
        c(
            "hadoop property",
            "<property>\n  <name>fs.s3a.secret.key</name>\n  <value>HadoopSk1</value>\n</property>",
            &["HadoopSk1"],
        ),
        c(
            "xml attributes",
            r#"<add key="DbPassword" value="AttrPw42"/>"#,
            &["AttrPw42"],
        ),
        c(
            "toml triple",
            "password = \"\"\"Tr1pleQ\"\"\"\n",
            &["Tr1pleQ"],
        ),
        c(
            "toml triple multi",
            "password = '''\nTr1pleM1\nTr1pleM2\n'''\nuser = \"x\"\n",
            &["Tr1pleM1", "Tr1pleM2"],
        ),
        c(
            "ini",
            "[db]\nhost = x\npassword = IniPw123\n",
            &["IniPw123"],
        ),
        c(
            "properties",
            "spring.datasource.password=PropPw12\nspring.datasource.url=jdbc:x\n",
            &["PropPw12"],
        ),
        c("properties colon", "db.password:PropCol9\n", &["PropCol9"]),
        c(
            "properties continued",
            "db.password=PropHd31 \\\n    PropCn32\nother=1\n",
            &["PropHd31", "PropCn32"],
        ),
        c(
            "properties on the next line",
            "db.password=\\\n    PropNx33 \\\n    PropNx34\nother=1\n",
            &["PropNx33", "PropNx34"],
        ),
        c(
            "form body",
            "user%3Dbob%26password%3DFormPw77",
            &["FormPw77"],
        ),
        c(
            "form body plain",
            "user=bob&password=FormPl4n&x=1",
            &["FormPl4n"],
        ),
        c(
            "cookie header",
            "Cookie: theme=dark; session_id=C00kieSid; csrftoken=CsrfT0k3n",
            &["C00kieSid", "CsrfT0k3n"],
        ),
        c(
            "set-cookie",
            "Set-Cookie: sid=SetC00k1e; Path=/; HttpOnly",
            &["SetC00k1e"],
        ),
        c(
            "signed url sig",
            "https://x.blob.core.windows.net/c/b?sv=2020&sig=AbCd%2BEf%3D123",
            &["AbCd%2BEf", "AbCd+Ef"],
        ),
        c(
            "goog signature",
            "https://storage.googleapis.com/b/o?X-Goog-Signature=9f8e7d6c5b4a39281706",
            &["9f8e7d6c5b4a39281706"],
        ),
        c(
            "aws signature",
            "https://b.s3.amazonaws.com/k?X-Amz-Signature=a1b2c3d4e5f60718&X-Amz-Credential=AKIDX%2F2024",
            &["a1b2c3d4e5f60718"],
        ),
        // 3. Shapes of tools.
        c(
            "oracle jdbc",
            "jdbc:oracle:thin:scott/OraT1ger@db:1521/ORCL",
            &["OraT1ger"],
        ),
        c("sqlplus", "sqlplus system/SqlPlusPw1@prod", &["SqlPlusPw1"]),
        c(
            "ezconnect",
            "app/EzConnPw@//db.example:1521/svc",
            &["EzConnPw"],
        ),
        c(
            "netrc one line",
            "machine api.example.com login bob password N3trcPw",
            &["N3trcPw"],
        ),
        c(
            "netrc lines",
            "machine api.example.com\n  login bob\n  password N3trcLn\n",
            &["N3trcLn"],
        ),
        c(
            "identified by",
            "CREATE USER app IDENTIFIED BY 'IdentPw1';",
            &["IdentPw1"],
        ),
        c(
            "mongodb",
            "mongodb://app:M0ngo%40Pw@db1,db2/?replicaSet=rs0",
            &["M0ngo"],
        ),
        c(
            "mongodb at",
            "mongodb+srv://app:M0ngo@AtPw@cluster0.example.net/db",
            &["M0ngo@AtPw", "AtPw"],
        ),
        c(
            "odbc",
            "Driver={ODBC};Server=db;Uid=sa;Pwd={Odbc;Pw};",
            &["Odbc;Pw", "Odbc"],
        ),
        c(
            "ado",
            "Server=db;Database=x;User Id=sa;Password=Ado Pw 1;",
            &["Ado Pw 1", "Pw 1"],
        ),
        c(
            "sshpass",
            "sshpass -p 'SshP4ss' ssh root@host",
            &["SshP4ss"],
        ),
        c(
            "mysql -p",
            "mysql -u root -pMyS3cretPw app",
            &["MyS3cretPw"],
        ),
        c("redis requirepass", "requirepass R3disPw", &["R3disPw"]),
        c(
            "redis-cli -a",
            "redis-cli -h cache -a R3disCli ping",
            &["R3disCli"],
        ),
        c("curl -u", "curl -u admin:CurlPw99 https://x", &["CurlPw99"]),
        c("quoted after space", "PASSWORD 'QuotedSp1'", &["QuotedSp1"]),
        c("dovecot plain", "admin:{PLAIN}D0vecotPw", &["D0vecotPw"]),
        c(
            "bcrypt",
            "admin:$2y$10$abcdefghijklmnopqrstuu1234567890ABCDEFGHIJKLMNOPQRSTU",
            &["abcdefghijklmnopqrstuu1234567890ABCDEFGHIJKLMNOPQRSTU"],
        ),
        // 4. Multi-line values in logs are covered by the multi-line texts above.
        c(
            "pretty json",
            "{\n  \"password\": [\n    \"PrettyPw1\"\n  ],\n  \"user\": \"x\"\n}",
            &["PrettyPw1"],
        ),
        c(
            "pretty json next line",
            "\"password\":\n    \"NextLn99\"\n",
            &["NextLn99"],
        ),
        // 5. Key names disguised.
        c("cyrillic a", "p\u{430}ssword=Cyr1llic9", &["Cyr1llic9"]),
        c("zero width", "pass\u{200b}word=ZeroW1dth", &["ZeroW1dth"]),
        c(
            "fullwidth",
            "\u{ff50}\u{ff41}\u{ff53}\u{ff53}\u{ff57}\u{ff4f}\u{ff52}\u{ff44}=FullW1dth",
            &["FullW1dth"],
        ),
        // 6. A value written before its name.
        c(
            "json value before name",
            r#"[{"value": "VbnJs0n1", "name": "DB_PASSWORD"}]"#,
            &["VbnJs0n1"],
        ),
        // 7. JSON escapes inside a key name.
        c(
            "json escaped key",
            r#"{"pass\u0077ord": "UEscKey1"}"#,
            &["UEscKey1"],
        ),
        c(
            "json escaped key in text",
            r#"config loaded {"api\u005ftoken": "UEscKey2", "n": 1} ok"#,
            &["UEscKey2"],
        ),
        c(
            "json escaped key upper",
            r#"{"user": "a", "\u0050ASSWORD": "UEscKey3"}"#,
            &["UEscKey3"],
        ),
        c(
            "json escaped name in pair",
            r#"[{"name": "DB_PASS\u0057ORD", "value": "UEscKey4"}]"#,
            &["UEscKey4"],
        ),
        c(
            "escaped json escaped key",
            r#"{\"pass\\u0077ord\":\"UEscKey5\"}"#,
            &["UEscKey5"],
        ),
        c(
            "cut json escaped key",
            r#"{"pass\u0077ord": "UEscKey6", "x": "#,
            &["UEscKey6"],
        ),
        c(
            "cut json escaped pair name",
            r#"{"na\u006de": "DB_PASSWORD", "value": "UEscKey7""#,
            &["UEscKey7"],
        ),
        c(
            "json escaped key next line",
            "\"pass\\u0077ord\":\n    \"UEscKey8\"\n",
            &["UEscKey8"],
        ),
        // 8. A map key that is itself the secret.
        c(
            "json token key",
            r#"{"tokens": {"ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8": "alice"}}"#,
            &["A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"],
        ),
        c(
            "yaml token key",
            "tokens:\n  ghp_B1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8: alice\n",
            &["B1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"],
        ),
        c(
            "json cyrillic key",
            "{\"p\u{430}ssword\": \"CyrJs0n1\"}",
            &["CyrJs0n1"],
        ),
    ]
}
