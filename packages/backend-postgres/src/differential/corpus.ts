/**
 * The differential corpus: scripts generated from per-command templates over
 * the seed's files, plus hand-written ones for the filesystem's harder corners.
 * Each script names the commands it is there to exercise.
 */

export interface CorpusScript {
  id: string;
  /** The registered commands this script exercises. */
  commands: string[];
  script: string;
}

/** Files also piped in on stdin (fewer: the command's own reading is the same code). */
const STDIN_FILES = ["a.txt", "nums", "people.csv", "empty"];

const TEXT = ["a.txt", "b.txt", "nums", "people.csv", "tabs", "empty", "noeol.txt", "missing.txt"];

/** Commands that read files: each option set is tried on each text file. */
const FILTERS: Record<string, string[]> = {
  cat: ["", "-n", "-A", "-s", "-b"],
  head: ["", "-n 2", "-c 5", "-n -1"],
  tail: ["", "-n 2", "-c 4", "-n +2"],
  wc: ["", "-l", "-w", "-c", "-m"],
  sort: ["", "-r", "-n", "-u", "-t, -k2", "-f"],
  uniq: ["", "-c", "-d", "-u"],
  rev: [""],
  tac: [""],
  nl: ["", "-ba", "-w3"],
  fold: ["-w 5", "-w 8 -s"],
  expand: ["", "-t 4"],
  unexpand: ["-a"],
  strings: ["", "-n 6"],
  od: ["-c", "-An -tx1"],
  base64: ["", "-w 20"],
  md5sum: [""],
  sha1sum: [""],
  sha256sum: [""],
  cut: ["-c1-3", "-d, -f1", "-f2", "-d' ' -f2"],
  grep: ["apple", "-i banana", "-c a", "-v e", "-n o", "-E 'ap+le|one'", "-o '[0-9]+'", "-w one"],
  fgrep: ["apple"],
  egrep: ["'a|e'"],
  rg: ["apple", "-i BANANA", "-c a"],
  sed: ["-n 2p", "s/a/A/g", "'1d'", "-E 's/([a-z]+)/<\\1>/'", "'$!d'", "-n '/a/p'"],
  awk: ["'{print $1}'", "'NR==2'", "-F, '{print $2}'", "'{n+=NF} END {print n}'", "'length > 5'"],
  paste: ["", "-s", "-d,"],
  column: ["-t", "-t -s,"],
  file: [""],
  du: ["-b", ""],
  stat: ["-c '%n %s %a %F'"],
  ls: ["", "-1", "-a"],
  readlink: ["", "-f"],
  basename: [""],
  dirname: [""],
  split: ["-l 2", "-b 10", "-n 2"],
  gzip: ["-c"],
  "html-to-markdown": [""],
};

/** Options a command takes with no file, tried once each. */
const STANDALONE: Record<string, string[]> = {
  echo: ["hi", "-n hi", "-e 'a\\tb'", "$HOME $USER", "*.txt", "{1..3}", "~"],
  printf: ["'%s\\n' a b", "'%05.2f\\n' 3.14159", "'%x %o\\n' 255 8", "'%-5s|\\n' ab"],
  pwd: ["", "-P"],
  true: [""],
  false: [""],
  seq: ["3", "2 5", "1 2 9", "-w 8 11", "-s, 3"],
  expr: ["1 + 2", "7 % 3", "length hello", "abc : 'a.'"],
  date: ["-u -d @0 +%Y-%m-%d", "-u -d @86400 '+%H:%M %j'"],
  sleep: ["0"],
  timeout: ["5 echo ok", "1 true"],
  hostname: [""],
  whoami: [""],
  env: ["| grep -c '^HOME=/home/user$'"],
  printenv: ["HOME", "USER SHELL"],
  alias: ["ll='ls -l'; alias ll"],
  unalias: ["-a; alias"],
  history: ["| wc -l"],
  clear: ["| wc -c"],
  help: ["cd | head -1"],
  which: ["ls", "grep sed", "nosuch"],
  bash: ["-c 'echo $((6*7))'", "run.sh arg", "-c 'exit 3'"],
  sh: ["-c 'echo sh-ran; pwd'"],
  time: ["true 2>/dev/null"],
  tree: ["dir", "-a dir", ""],
  find: [
    ". -name '*.txt'",
    "dir -type f",
    ". -maxdepth 1 -type d",
    ". -empty",
    "dir -name '*.md' -print",
  ],
  mkdir: ["-p n1/n2", "dir", "newdir"],
  rmdir: ["emptydir", "dir", "nope"],
  touch: ["new.txt", "a.txt"],
  rm: ["a.txt", "-r dir", "nope", "-f nope", "dir"],
  cp: ["a.txt c.txt", "-r dir dir2", "a.txt dir", "link lcopy", "-P link lcopy2", "nope x"],
  mv: ["a.txt c.txt", "dir dir2", "a.txt dir/", "nope x", "dir dir/sub"],
  ln: ["-s a.txt s2", "a.txt h2", "-s nowhere s3", "a.txt b.txt", "-sf b.txt link"],
  chmod: ["600 a.txt", "+x b.txt", "-R 700 dir", "u-w nums"],
  tee: ["t1 t2 < a.txt", "-a nums < b.txt"],
  xargs: ["echo < nums", "-n 2 echo < nums", "-I{} echo [{}] < nums"],
  jq: [
    ".name data.json",
    "'.tags[]' data.json",
    "-c .nested data.json",
    "'.n + 1' data.json",
    "-r '.tags | join(\",\")' data.json",
  ],
  yq: [".name conf.yaml", "'.list[0]' conf.yaml", "-o json . conf.yaml"],
  xan: ["headers people.csv", "count people.csv", "select name people.csv"],
  sqlite3: [
    "':memory:' 'select 1+1;'",
    "db.sqlite 'create table t(x); insert into t values (1),(2); select count(*) from t;'",
  ],
  tar: [
    "-cf t.tar a.txt b.txt && tar -tf t.tar",
    "-czf t.tgz dir && tar -tzf t.tgz | sort",
    "-cf - a.txt | tar -tf -",
  ],
  gunzip: ["-c < /dev/null; gzip -c a.txt > a.gz && gunzip a.gz && cat a"],
  zcat: ["/dev/null; gzip -c b.txt | zcat"],
  diff: ["a.txt b.txt", "a.txt a.txt", "-u sorted1.txt sorted2.txt", "nums missing.txt"],
  comm: ["sorted1.txt sorted2.txt", "-12 sorted1.txt sorted2.txt", "-3 sorted1.txt sorted2.txt"],
  join: ["left.txt right.txt", "-a1 left.txt right.txt", "-v2 left.txt right.txt"],
  tr: ["a-z A-Z < a.txt", "-d aeiou < b.txt", "-s ' ' < b.txt", "-c 'a-z\\n' _ < a.txt"],
};

/** Pipelines and compound scripts, each naming the commands it is about. */
const HANDWRITTEN: Array<[commands: string[], script: string]> = [
  [["cat"], "cat a.txt b.txt > both && wc -l < both"],
  [["echo"], "echo x > f && echo y >> f && cat f"],
  [["cp"], "cp a.txt a.txt; echo $?"],
  [["cp", "ln"], "ln a.txt h && cp a.txt h; echo $?; cat h"],
  [["mv"], "mv a.txt a.txt; echo $?; cat a.txt | head -1"],
  [["mv", "ln"], "ln a.txt h && mv a.txt h; echo $?; ls"],
  [["cp"], "cp -r dir dir/sub/deeper; echo $?"],
  [["split"], "split -l 1 nums part_ && ls part_* && cat part_ab"],
  [["split", "ln"], "ln nums xaa && split -l 1 nums; echo $?; cat nums | wc -l"],
  [["tee"], "tee a.txt < a.txt | wc -l; cat a.txt | wc -l"],
  [["ln"], "ln -s dir dlink && ls dlink && cat dlink/x.txt"],
  [["ln", "rm"], "ln b.txt b3 && rm b.txt && cat b3 b-hard | wc -l"],
  [["readlink"], "readlink link dangling; readlink -f dir/../link"],
  [["rm"], "rm -rf dir && ls"],
  [["rm"], "rm link && cat a.txt | wc -l"],
  [["mkdir"], "mkdir a.txt; echo $?"],
  [["touch"], "touch dir/sub/new && ls dir/sub"],
  [["find"], "find . -newer nums -name nothing; find . -type l | sort"],
  [["find", "xargs"], "find dir -type f | sort | xargs cat"],
  [["grep"], "grep -r line dir; grep -rl apple . | sort"],
  [["grep"], "grep -q apple a.txt && echo found"],
  [["sort", "uniq"], "sort a.txt | uniq -c | sort -rn | head -2"],
  [["awk", "sort"], "awk -F, 'NR>1 {print $3}' people.csv | sort | uniq -c"],
  [["sed"], "sed -i 's/apple/APPLE/' a.txt && cat a.txt"],
  [["sed"], "sed -i.bak 's/one/1/' b.txt && ls b.txt* && cat b.txt.bak | head -1"],
  [["chmod", "stat"], "chmod 640 a.txt && stat -c %a a.txt"],
  [["chmod"], "chmod 755 nums && ./nums; echo $?"],
  [["bash"], "./run.sh x y"],
  [["bash"], "chmod -x run.sh; ./run.sh; echo $?"],
  [["cd"], "cd dir && pwd && cd - >/dev/null && pwd"],
  [["cd"], "cd /tmp && echo t > f && cat /tmp/f"],
  [["echo"], "echo $PWD $HOME; cd; pwd"],
  [["ls"], "ls /; ls /usr"],
  [["ls"], "ls -R dir"],
  [["ls"], "ls missing; echo $?"],
  [["which"], "type ls; command -v grep; which cat"],
  [["echo"], "/bin/echo hi; /usr/bin/printf 'x\\n'"],
  [["cat"], "cat < /dev/null; echo x > /dev/null; echo $?"],
  [["gzip"], "gzip a.txt && ls a.txt* && gunzip a.txt.gz && cat a.txt | head -1"],
  [["tar"], "tar -cf t.tar dir && mkdir out && tar -xf t.tar -C out && find out | sort"],
  [["du"], "du -s dir; du -sh emptydir"],
  [["diff"], "cp a.txt c.txt && echo extra >> c.txt && diff a.txt c.txt; echo $?"],
  [["seq", "paste"], "seq 6 | paste - - -"],
  [["seq", "split"], "seq 25 > n && split -l 10 n && wc -l xa*"],
  [["base64"], "base64 a.txt | base64 -d | head -1"],
  [["sha256sum"], "sha256sum a.txt > sums && sha256sum -c sums"],
  [["md5sum"], "md5sum a.txt b.txt | sort"],
  [["jq"], "jq -n '[1,2,3] | add'"],
  [["xargs", "rm"], "echo a.txt b.txt | xargs rm && ls"],
  [["tee"], "echo x | tee -a nums > /dev/null && tail -1 nums"],
  [["find", "rm"], "find dir -name '*.md' -delete; find dir | sort"],
  [["mv"], "mv dir/sub/y.txt . && mv y.txt dir/renamed && ls dir"],
  [["cp"], "cp -p run.sh run2.sh && ./run2.sh"],
  [["cp"], "cp link dir/ && ls -1 dir"],
  [["ln"], "ln dir dirlink; echo $?"],
  [["rm"], "rm -r /home/user/dir/sub && ls dir"],
  [["mkdir"], "mkdir -p /tmp/a/b && ls /tmp/a"],
  [["echo"], "for i in 1 2 3; do echo $i > f$i; done; cat f*"],
  [["echo"], "i=0; while [ $i -lt 50 ]; do echo $i >> loop; i=$((i+1)); done; wc -l < loop"],
  [["cat"], "cat link; cat dangling; echo $?"],
  [
    ["test"],
    "[ a.txt -ef link ] && echo same; [ b.txt -ef b-hard ] && echo hard; [ a.txt -nt nums ]; echo $?",
  ],
  [
    ["test"],
    "[ -L link ] && [ -f link ] && [ -d dir ] && [ ! -e dangling ] && [ -x run.sh ] && echo ok",
  ],
  [["printf"], "printf '%s\\n' *.txt"],
  [["echo"], "shopt -s globstar; echo **/*.txt"],
  [["echo"], "echo dir/*; echo nomatch*"],
];

/** Every script of the corpus, in a stable order with stable ids. */
export function corpus(): CorpusScript[] {
  const out: CorpusScript[] = [];
  for (const [command, variants] of Object.entries(FILTERS)) {
    for (const options of variants) {
      for (const file of TEXT) {
        out.push({
          id: `${command}/${options || "plain"}/${file}`,
          commands: [command],
          script: `${command} ${options} ${file}; echo "exit=$?"`,
        });
        // The same through a pipe, where the command reads stdin.
        if (
          STDIN_FILES.includes(file) &&
          !["split", "du", "stat", "ls", "readlink", "basename", "dirname", "file"].includes(
            command,
          )
        ) {
          out.push({
            id: `${command}/${options || "plain"}/stdin:${file}`,
            commands: [command],
            script: `cat ${file} | ${command} ${options}; echo "exit=$?"`,
          });
        }
      }
    }
  }
  for (const [command, variants] of Object.entries(STANDALONE)) {
    for (const args of variants) {
      out.push({
        id: `${command}/${args || "plain"}`,
        commands: [command],
        script: `${command} ${args}; echo "exit=$?"; ls -a`,
      });
    }
  }
  HANDWRITTEN.forEach(([commands, script], i) => {
    out.push({ id: `hand/${i}`, commands, script: `${script}; echo "exit=$?"` });
  });
  return out;
}
