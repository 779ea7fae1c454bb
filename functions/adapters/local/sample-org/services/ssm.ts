import type { SampleAccount } from '../accounts.ts';
import { regionInventory, type SampleInstance } from '../inventory.ts';
import { hash, Random } from '../random.ts';
import { awsError, paginate, type SampleCall, type ServiceSimulator } from '../simulator.ts';

/**
 * Systems Manager of a sample account: the managed nodes are the shared inventory's instances that run the
 * SSM agent (plus a few on-premises servers in the platform accounts), each with its software inventory and
 * its patch state. Packages get updates on a fixed schedule per operating system; a node installs what its
 * patch baseline approved at its weekly maintenance window, so from one day to the next patches move from
 * Missing to Installed, packages change version and nodes come and go with the inventory.
 */

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/** Patch baselines approve a release this long after it is published (AWS's default baselines: 7 days). */
const APPROVAL_DELAY_MS = 7 * DAY_MS;
/** Versions are counted from this day, so the sample's version numbers stay plausible. */
const VERSION_REFERENCE = Date.UTC(2024, 0, 1);

// Server page sizes: smaller than the largest MaxResults of each call, so every list takes several pages.
const NODES_SERVER_PAGE = 20;
const ENTRIES_SERVER_PAGE = 25;
const PATCHES_SERVER_PAGE = 20;
const PATCH_STATES_SERVER_PAGE = 20;

const INSTANCE_ID_PATTERN = /(^i-(\w{8}|\w{17})$)|(^mi-\w{17}$)/;

type Family = 'al2023' | 'al2' | 'rhel9' | 'ubuntu' | 'windows';
type PatchState =
  | 'Installed'
  | 'InstalledOther'
  | 'InstalledPendingReboot'
  | 'InstalledRejected'
  | 'Missing'
  | 'Failed'
  | 'AvailableSecurityUpdate';

/** The cells of a `|`-separated table, one row per line: the catalogues below read best as tables. */
function table(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .map((line) => line.split('|').map((cell) => cell.trim()));
}
const cell = (row: readonly string[], i: number) => row[i] ?? '';

/**
 * A package or program a node may have. `period` is the days between two updates (0: never updated
 * here); `bumps` says which part of the version an update changes; `workloads` lists the kinds of node that
 * install it (null: every node). A `{v}` in the name is the version, as Windows names some programs.
 */
interface Software {
  readonly name: string;
  readonly group: string;
  readonly version: string;
  readonly period: number;
  readonly bumps: 'version' | 'release';
  readonly noarch: boolean;
  readonly workloads: readonly string[] | null;
  readonly summary: string;
  /** Windows: the publisher; Ubuntu: the package priority. */
  readonly extra: string;
  /** Not on every node that could have it. */
  readonly optional: boolean;
}

function catalogueRow(row: readonly string[]): Software {
  const period = cell(row, 3);
  const workloads = cell(row, 5);
  return {
    name: cell(row, 0),
    group: cell(row, 1),
    version: cell(row, 2),
    period: Number.parseInt(period, 10) || 0,
    bumps: period.endsWith('v') ? 'version' : 'release',
    noarch: cell(row, 4).startsWith('n'),
    workloads: workloads === '*' || workloads === '?' ? null : workloads.split(','),
    optional: workloads === '?',
    summary: cell(row, 6),
    extra: cell(row, 7),
  };
}

/** name | group | version | period (v: the version changes) | a(rch) or n(oarch) | workloads | summary */
function catalogue(text: string): Software[] {
  return table(text).map(catalogueRow);
}

const RPM = catalogue(`
kernel                           | System Environment/Kernel    | 6.1.90     | 21v | a | * | The Linux kernel
glibc                            | System Environment/Libraries | 2.34       | 60  | a | * | The GNU libc libraries
glibc-common                     | System Environment/Base      | 2.34       | 60  | a | * | Common binaries and locale data for glibc
glibc-minimal-langpack           | System Environment/Base      | 2.34       | 60  | a | * | Minimal language packs for glibc
openssl                          | System Environment/Libraries | 3.0.8      | 45  | a | * | Utilities from the general purpose cryptography library with TLS implementation
openssl-libs                     | System Environment/Libraries | 3.0.8      | 45  | a | * | A general purpose cryptography library with TLS implementation
curl-minimal                     | Applications/Internet        | 8.5.0      | 50  | a | * | Conservatively configured build of curl for minimal installations
libcurl-minimal                  | System Environment/Libraries | 8.5.0      | 50  | a | * | Conservatively configured build of libcurl for minimal installations
libnghttp2                       | System Environment/Libraries | 1.59.0     | 80  | a | * | A library implementing the HTTP/2 protocol
python3                          | Development/Languages        | 3.9.16     | 70  | a | * | Python 3.9 interpreter
python3-libs                     | Development/Languages        | 3.9.16     | 70  | a | * | Python runtime libraries
systemd                          | System Environment/Base      | 252.23     | 90  | a | * | System and Service Manager
systemd-libs                     | System Environment/Libraries | 252.23     | 90  | a | * | systemd libraries
sudo                             | Applications/System          | 1.9.15     | 120 | a | * | Allows restricted root access for specified users
openssh                          | Applications/Internet        | 8.7p1      | 80  | a | * | An open source implementation of SSH protocol version 2
openssh-server                   | System Environment/Daemons   | 8.7p1      | 80  | a | * | An open source SSH server daemon
openssh-clients                  | Applications/Internet        | 8.7p1      | 80  | a | * | An open source SSH client applications
ca-certificates                  | System Environment/Base      | 2023.2.64  | 100 | n | * | The Mozilla CA root certificate bundle
tzdata                           | System Environment/Base      | 2024a      | 90  | n | * | Timezone data
shadow-utils                     | System Environment/Base      | 4.9        | 150 | a | * | Utilities for managing accounts and shadow password files
libxml2                          | System Environment/Libraries | 2.10.4     | 110 | a | * | Library providing XML and HTML support
krb5-libs                        | System Environment/Libraries | 1.21       | 100 | a | * | The non-admin shared libraries used by Kerberos 5
expat                            | System Environment/Libraries | 2.5.0      | 90  | a | * | An XML parser library
bind-libs                        | System Environment/Libraries | 9.16.48    | 90  | a | * | Libraries used by the BIND DNS packages
amazon-ssm-agent                 | Amazon/Tools                 | agent      | 0   | a | * | Manage EC2 Instances using Systems Manager APIs
awscli-2                         | Amazon/Tools                 | 2.15.30    | 40v | n | * | Universal Command Line Environment for AWS, version 2
vim-minimal                      | Applications/Editors         | 9.0.2153   | 60v | a | * | A minimal version of the VIM editor
amazon-cloudwatch-agent          | Amazon/Tools                 | 1.300034.0 | 30v | a | ? | Amazon CloudWatch Agent
rpm                              | System Environment/Base      | 4.16.1.3   | 0   | a | * | The RPM package management system
dnf                              | System Environment/Base      | 4.14.0     | 0   | n | * | Package manager
bash                             | System Environment/Shells    | 5.2.15     | 0   | a | * | The GNU Bourne Again shell
coreutils                        | System Environment/Base      | 8.32       | 0   | a | * | A set of basic GNU tools commonly used in shell scripts
chrony                           | System Environment/Daemons   | 4.3        | 0   | a | * | An NTP client/server
cronie                           | System Environment/Base      | 1.5.7      | 0   | a | * | Cron daemon for executing programs at set times
rsyslog                          | System Environment/Daemons   | 8.2204.0   | 0   | a | * | Enhanced system logging and kernel message trapping daemon
logrotate                        | System Environment/Base      | 3.20.1     | 0   | a | * | Rotates, compresses, removes and mails system log files
e2fsprogs                        | System Environment/Base      | 1.46.5     | 0   | a | * | Utilities for managing ext2, ext3, and ext4 file systems
xfsprogs                         | System Environment/Base      | 5.18.0     | 0   | a | * | Utilities for managing the XFS filesystem
util-linux                       | System Environment/Base      | 2.37.4     | 0   | a | * | A collection of basic system utilities
zlib                             | System Environment/Libraries | 1.2.11     | 0   | a | * | Compression and decompression library
xz-libs                          | System Environment/Libraries | 5.2.5      | 0   | a | * | Libraries for decoding LZMA compression
bzip2-libs                       | System Environment/Libraries | 1.0.8      | 0   | a | * | Libraries for applications using bzip2
sqlite-libs                      | System Environment/Libraries | 3.40.0     | 0   | a | * | Shared library for the sqlite3 embeddable SQL database engine
nss                              | System Environment/Libraries | 3.90.0     | 0   | a | * | Network Security Services
gnupg2                           | Applications/System          | 2.3.7      | 0   | a | * | Utility for secure communication and data storage
gpgme                            | System Environment/Libraries | 1.15.1     | 0   | a | * | GnuPG Made Easy
tar                              | Applications/Archiving       | 1.34       | 0   | a | * | GNU file archiving program
gzip                             | Applications/File            | 1.12       | 0   | a | * | The GNU data compression program
grep                             | Applications/Text            | 3.8        | 0   | a | * | Pattern matching utilities
sed                              | Applications/Text            | 4.8        | 0   | a | * | A GNU stream text editor
gawk                             | Applications/Text            | 5.1.0      | 0   | a | * | The GNU version of the AWK text processing utility
findutils                        | Applications/File            | 4.8.0      | 0   | a | * | The GNU versions of find utilities
procps-ng                        | Applications/System          | 3.3.17     | 0   | a | * | System and process monitoring utilities
iproute                          | Applications/System          | 5.10.0     | 0   | a | * | Advanced IP routing and network device configuration tools
iptables-nft                     | System Environment/Base      | 1.8.8      | 0   | a | * | nftables compatibility for iptables
cloud-init                       | System Environment/Base      | 22.2.2     | 0   | n | * | Cloud instance init scripts
ec2-utils                        | System Environment/Base      | 2.2.0      | 0   | n | * | EC2 instance scripts and utilities
less                             | Applications/Text            | 608        | 0   | a | * | A text file browser similar to more, but better
which                            | Applications/System          | 2.21       | 0   | a | * | Displays where a particular program in your path is located
libgcc                           | System Environment/Libraries | 11.4.1     | 0   | a | * | GCC version 11 shared support library
libstdc++                        | System Environment/Libraries | 11.4.1     | 0   | a | * | GNU Standard C++ Library
ncurses-libs                     | System Environment/Libraries | 6.2        | 0   | a | * | Ncurses libraries
readline                         | System Environment/Libraries | 8.1        | 0   | a | * | A library for editing typed command lines
pam                              | System Environment/Base      | 1.5.1      | 0   | a | * | An extensible library which provides authentication for applications
audit                            | System Environment/Daemons   | 3.0.6      | 0   | a | * | User space tools for kernel auditing
libselinux                       | System Environment/Libraries | 3.4        | 0   | a | * | SELinux library and simple utilities
selinux-policy-targeted          | System Environment/Base      | 37.22      | 0   | n | * | SELinux targeted policy
elfutils-libs                    | Development/Tools            | 0.188      | 0   | a | * | Libraries to handle compiled objects
libssh2                          | System Environment/Libraries | 1.10.0     | 0   | a | * | A library implementing the SSH2 protocol
libcap                           | System Environment/Libraries | 2.48       | 0   | a | * | Library for getting and setting POSIX.1e capabilities
dbus                             | System Environment/Libraries | 1.12.28    | 0   | a | * | D-BUS message bus
perl-interpreter                 | Development/Languages        | 5.32.1     | 0   | a | ? | Standalone executable Perl interpreter
jq                               | Applications/System          | 1.7.1      | 0   | a | ? | Command-line JSON processor
git                              | Development/Tools            | 2.40.1     | 60v | a | api,worker,batch,etl | Fast Version Control System
nginx                            | System Environment/Daemons   | 1.24.0     | 90  | a | web,gateway,api | A high performance web server and reverse proxy server
nodejs                           | Development/Languages        | 18.20.2    | 45v | a | api,web,gateway | JavaScript runtime
java-17-amazon-corretto-headless | Development/Languages        | 17.0.11    | 90v | a | worker,search,ingest,etl | Amazon Corretto headless development environment
docker                           | System Environment/Base      | 25.0.3     | 60  | a | worker,batch,api,ingest | Automates deployment of containerized applications
containerd                       | System Environment/Base      | 1.7.11     | 60  | a | worker,batch,api,ingest | An industry-standard container runtime
runc                             | System Environment/Base      | 1.1.11     | 60  | a | worker,batch,api,ingest | A CLI tool for spawning and running containers per the OCI specification
postgresql15                     | Applications/Databases       | 15.6       | 90v | a | etl,batch,worker | PostgreSQL client programs
redis6                           | Applications/Databases       | 6.2.14     | 120v | a | cache | A persistent key-value database
haproxy                          | System Environment/Daemons   | 2.4.22     | 0   | a | gateway | HAProxy reverse proxy for high availability environments
python3-pip                      | Development/Languages        | 21.3.1     | 0   | n | batch,etl,ingest,scheduler | A tool for installing and managing Python packages
gcc                              | Development/Languages        | 11.4.1     | 0   | a | batch,etl | Various compilers (C, C++, Objective-C, ...)
make                             | Development/Tools            | 4.3        | 0   | a | batch,etl | A GNU tool which simplifies the build process for users
binutils                         | Development/Tools            | 2.39       | 0   | a | batch,etl | A GNU collection of binary utilities
`);

/** Amazon Linux 2 and RHEL 9 ship other versions of a few packages. */
const RPM_VERSIONS: Partial<Record<Family, Readonly<Record<string, string>>>> = {
  al2: {
    kernel: '5.10.214',
    glibc: '2.26',
    'glibc-common': '2.26',
    'glibc-minimal-langpack': '2.26',
    openssl: '1.0.2k',
    'openssl-libs': '1.0.2k',
    python3: '3.7.16',
    'python3-libs': '3.7.16',
    systemd: '219',
    'systemd-libs': '219',
    'curl-minimal': '8.3.0',
    'libcurl-minimal': '8.3.0',
  },
  rhel9: {
    kernel: '5.14.0',
    python3: '3.9.18',
    'python3-libs': '3.9.18',
    systemd: '252',
    'systemd-libs': '252',
  },
};

/** name | section | version | period (v: the version changes) | a(rch) or all | workloads | summary | prio */
const DEB = catalogue(`
linux-image-aws           | kernel   | 6.5.0.1014.14          | 21v | a | * | Linux kernel image for Amazon Web Services (AWS) systems | optional
libc6                     | libs     | 2.35-0ubuntu3.6        | 60v | a | * | GNU C Library: Shared libraries | optional
libc-bin                  | libs     | 2.35-0ubuntu3.6        | 60v | a | * | GNU C Library: Binaries | required
openssl                   | utils    | 3.0.2-0ubuntu1.15      | 45v | a | * | Secure Sockets Layer toolkit - cryptographic utility | optional
libssl3                   | libs     | 3.0.2-0ubuntu1.15      | 45v | a | * | Secure Sockets Layer toolkit - shared libraries | optional
curl                      | web      | 7.81.0-1ubuntu1.16     | 50v | a | * | command line tool for transferring data with URL syntax | optional
libcurl4                  | libs     | 7.81.0-1ubuntu1.16     | 50v | a | * | easy-to-use client-side URL transfer library (OpenSSL flavour) | optional
python3.10                | python   | 3.10.12-1~22.04.3      | 70v | a | * | Interactive high-level object-oriented language (version 3.10) | optional
libpython3.10             | libs     | 3.10.12-1~22.04.3      | 70v | a | * | Shared Python runtime library (version 3.10) | optional
systemd                   | admin    | 249.11-0ubuntu3.12     | 90v | a | * | system and service manager | important
libsystemd0               | libs     | 249.11-0ubuntu3.12     | 90v | a | * | systemd utility library | optional
sudo                      | admin    | 1.9.9-1ubuntu2.4       | 120v | a | * | Provide limited super user privileges to specific users | optional
openssh-server            | net      | 1:8.9p1-3ubuntu0.6     | 80v | a | * | secure shell (SSH) server, for secure access from remote machines | optional
openssh-client            | net      | 1:8.9p1-3ubuntu0.6     | 80v | a | * | secure shell (SSH) client, for secure access to remote machines | standard
ca-certificates           | misc     | 20230311ubuntu0.22.04.1 | 100v | n | * | Common CA certificates | optional
tzdata                    | localization | 2024a-0ubuntu0.22.04 | 90v | n | * | time zone and daylight-saving time data | required
libxml2                   | libs     | 2.9.13+dfsg-1ubuntu0.4 | 110v | a | * | GNOME XML library | optional
libkrb5-3                 | libs     | 1.19.2-2ubuntu0.3      | 100v | a | * | MIT Kerberos runtime libraries | standard
libexpat1                 | libs     | 2.4.7-1ubuntu0.3       | 90v | a | * | XML parsing C library - runtime library | important
snapd                     | devel    | 2.61.3+22.04           | 40v | a | * | Daemon and tooling that enable snap packages | optional
vim                       | editors  | 2:8.2.3995-1ubuntu2.15 | 60v | a | * | Vi IMproved - enhanced vi editor | optional
amazon-cloudwatch-agent   | admin    | 1.300034.0             | 30v | a | ? | Amazon CloudWatch Agent | optional
apt                       | admin    | 2.4.12                 | 0   | a | * | commandline package manager | important
dpkg                      | admin    | 1.21.1ubuntu2.3        | 0   | a | * | Debian package management system | required
bash                      | shells   | 5.1-6ubuntu1.1         | 0   | a | * | GNU Bourne Again SHell | required
coreutils                 | utils    | 8.32-4.1ubuntu1.2      | 0   | a | * | GNU core utilities | required
base-files                | admin    | 12ubuntu4.6            | 0   | a | * | Debian base system miscellaneous files | required
cloud-init                | admin    | 23.4.4-0ubuntu0~22.04.1 | 0  | n | * | initialization and customization tool for cloud instances | optional
ec2-instance-connect      | net      | 1.1.14-0ubuntu1.1      | 0   | n | * | Configures ssh daemon to accept EC2 Instance Connect ssh keys | optional
ubuntu-advantage-tools    | misc     | 31.2~22.04             | 0   | a | * | management tools for Ubuntu Pro | important
unattended-upgrades       | admin    | 2.8ubuntu1             | 0   | n | * | automatic installation of security upgrades | optional
chrony                    | net      | 4.2-2ubuntu2           | 0   | a | * | Versatile implementation of the Network Time Protocol | optional
cron                      | admin    | 3.0pl1-137ubuntu3      | 0   | a | * | process scheduling daemon | important
rsyslog                   | admin    | 8.2112.0-2ubuntu2.2    | 0   | a | * | reliable system and kernel logging daemon | important
logrotate                 | admin    | 3.19.0-1ubuntu1.1      | 0   | a | * | Log rotation utility | important
e2fsprogs                 | admin    | 1.46.5-2ubuntu1.1      | 0   | a | * | ext2/ext3/ext4 file system utilities | required
util-linux                | utils    | 2.37.2-4ubuntu3.4      | 0   | a | * | miscellaneous system utilities | required
zlib1g                    | libs     | 1:1.2.11.dfsg-2ubuntu9.2 | 0 | a | * | compression library - runtime | required
liblzma5                  | libs     | 5.2.5-2ubuntu1         | 0   | a | * | XZ-format compression library | required
libbz2-1.0                | libs     | 1.0.8-5build1          | 0   | a | * | high-quality block-sorting file compressor library - runtime | important
libsqlite3-0              | libs     | 3.37.2-2ubuntu0.3      | 0   | a | * | SQLite 3 shared library | optional
gnupg                     | utils    | 2.2.27-3ubuntu2.1      | 0   | n | * | GNU privacy guard - a free PGP replacement | optional
gpgv                      | utils    | 2.2.27-3ubuntu2.1      | 0   | a | * | GNU privacy guard - signature verification tool | important
tar                       | utils    | 1.34+dfsg-1ubuntu0.1.22.04.2 | 0 | a | * | GNU version of the tar archiving utility | required
gzip                      | utils    | 1.10-4ubuntu4.1        | 0   | a | * | GNU compression utilities | required
grep                      | utils    | 3.7-1build1            | 0   | a | * | GNU grep, egrep and fgrep | required
sed                       | utils    | 4.8-1ubuntu2           | 0   | a | * | GNU stream editor for filtering/transforming text | required
gawk                      | interpreters | 1:5.1.0-1ubuntu0.1 | 0   | a | * | GNU awk, a pattern scanning and processing language | optional
findutils                 | utils    | 4.8.0-1ubuntu3         | 0   | a | * | utilities for finding files--find, xargs | required
procps                    | admin    | 2:3.3.17-6ubuntu2.1    | 0   | a | * | /proc file system utilities | important
iproute2                  | net      | 5.15.0-1ubuntu2        | 0   | a | * | networking and traffic control tools | important
iptables                  | net      | 1.8.7-1ubuntu5.2       | 0   | a | * | administration tools for packet filtering and NAT | optional
less                      | text     | 590-1ubuntu0.22.04.3   | 0   | a | * | pager program similar to more | important
libpam0g                  | libs     | 1.4.0-11ubuntu2.4      | 0   | a | * | Pluggable Authentication Modules library | required
libgcc-s1                 | libs     | 12.3.0-1ubuntu1~22.04  | 0   | a | * | GCC support library | optional
libstdc++6                | libs     | 12.3.0-1ubuntu1~22.04  | 0   | a | * | GNU Standard C++ Library v3 | optional
libncursesw6              | libs     | 6.3-2ubuntu0.1         | 0   | a | * | shared libraries for terminal handling (wide character support) | optional
auditd                    | admin    | 1:3.0.7-1build1        | 0   | a | ? | User space tools for security auditing | optional
jq                        | utils    | 1.6-2.1ubuntu3         | 0   | a | ? | lightweight and flexible command-line JSON processor | optional
git                       | vcs      | 1:2.34.1-1ubuntu1.11   | 60v | a | api,worker,batch,etl | fast, scalable, distributed revision control system | optional
nginx                     | httpd    | 1.18.0-6ubuntu14.4     | 90v | a | web,gateway,api | small, powerful, scalable web/proxy server | optional
nodejs                    | javascript | 12.22.9~dfsg-1ubuntu3.6 | 45v | a | api,web,gateway | evented I/O for V8 javascript - runtime executable | optional
openjdk-17-jre-headless   | java     | 17.0.11+9-1~22.04.1    | 90v | a | worker,search,ingest,etl | OpenJDK Java runtime, using Hotspot JIT (headless) | optional
docker.io                 | admin    | 24.0.7-0ubuntu2~22.04.1 | 60v | a | worker,batch,api,ingest | Linux container runtime | optional
containerd                | admin    | 1.7.12-0ubuntu2~22.04.1 | 60v | a | worker,batch,api,ingest | daemon to control runC | optional
runc                      | admin    | 1.1.12-0ubuntu2~22.04.1 | 60v | a | worker,batch,api,ingest | Open Container Project - runtime | optional
postgresql-client-14      | database | 14.11-0ubuntu0.22.04.1 | 90v | a | etl,batch,worker | front-end programs for PostgreSQL 14 | optional
redis-server              | database | 5:6.0.16-1ubuntu1      | 120v | a | cache | Persistent key-value database with network interface | optional
python3-pip               | python   | 22.0.2+dfsg-1ubuntu0.4 | 0   | n | batch,etl,ingest,scheduler | Python package installer | optional
build-essential           | devel    | 12.9ubuntu3            | 0   | a | batch,etl | Informational list of build-essential packages | optional
`);

/** name ({v}: the version) | version | period (v) | a(rch) or n (x86) | workloads | publisher */
const WINDOWS = table(`
Amazon SSM Agent                                              | agent         | 0   | a | *                    | Amazon Web Services
AWS Tools for Windows                                         | 4.1.590.0     | 30v | n | *                    | Amazon Web Services Developer Relations
Amazon CloudWatch Agent                                       | 1.300034.0    | 30v | a | *                    | Amazon.com, Inc.
EC2Launch v2                                                  | 2.0.1815.0    | 45v | a | *                    | Amazon Web Services
AWS PV Drivers                                                | 8.4.3         | 0   | a | *                    | Amazon Web Services
AWS NVMe Driver                                               | 1.5.1         | 0   | a | *                    | Amazon Web Services
Amazon Elastic Network Adapter                                | 2.6.0         | 0   | a | *                    | Amazon Web Services
aws-cfn-bootstrap                                             | 2.0.28        | 0   | a | *                    | Amazon Web Services
AWS Command Line Interface v2                                 | 2.15.30.0     | 40v | a | *                    | Amazon Web Services Command Line Platform
Microsoft Edge                                                | 131.0.2903.51 | 28v | a | *                    | Microsoft Corporation
Microsoft Edge Update                                         | 1.3.195.31    | 28v | n | *                    | Microsoft Corporation
Microsoft Edge WebView2 Runtime                               | 131.0.2903.51 | 28v | a | *                    | Microsoft Corporation
Microsoft .NET Runtime - {v} (x64)                            | 8.0.6         | 30v | a | *                    | Microsoft Corporation
Microsoft ASP.NET Core {v} - Shared Framework (x64)           | 8.0.6         | 30v | a | *                    | Microsoft Corporation
Microsoft Windows Desktop Runtime - {v} (x64)                 | 8.0.6         | 30v | a | *                    | Microsoft Corporation
Microsoft Visual C++ 2015-2022 Redistributable (x64) - {v}    | 14.40.33810   | 90v | a | *                    | Microsoft Corporation
Microsoft Visual C++ 2015-2022 Redistributable (x86) - {v}    | 14.40.33810   | 90v | n | *                    | Microsoft Corporation
Microsoft Visual C++ 2022 X64 Minimum Runtime - {v}           | 14.40.33810   | 90v | a | *                    | Microsoft Corporation
Microsoft Visual C++ 2022 X64 Additional Runtime - {v}        | 14.40.33810   | 90v | a | *                    | Microsoft Corporation
Microsoft Visual C++ 2022 X86 Minimum Runtime - {v}           | 14.40.33810   | 90v | n | *                    | Microsoft Corporation
Microsoft Visual C++ 2022 X86 Additional Runtime - {v}        | 14.40.33810   | 90v | n | *                    | Microsoft Corporation
Microsoft Visual C++ 2013 Redistributable (x64) - 12.0.40664  | 12.0.40664.0  | 0   | a | *                    | Microsoft Corporation
Microsoft Visual C++ 2013 x64 Minimum Runtime - 12.0.40664    | 12.0.40664    | 0   | a | *                    | Microsoft Corporation
Microsoft Visual C++ 2013 x64 Additional Runtime - 12.0.40664 | 12.0.40664    | 0   | a | *                    | Microsoft Corporation
Microsoft Visual C++ 2012 Redistributable (x64) - 11.0.61030  | 11.0.61030.0  | 0   | a | *                    | Microsoft Corporation
Microsoft Visual C++ 2010  x64 Redistributable - 10.0.40219   | 10.0.40219    | 0   | a | *                    | Microsoft Corporation
Microsoft Update Health Tools                                 | 5.72.0.0      | 0   | a | *                    | Microsoft Corporation
PowerShell 7-x64                                              | 7.4.6.0       | 60v | a | *                    | Microsoft Corporation
7-Zip 23.01 (x64)                                             | 23.01         | 0   | a | ?                    | Igor Pavlov
Notepad++ (64-bit x64)                                        | 8.6.9         | 0   | a | ?                    | Notepad++ Team
Google Chrome                                                 | 131.0.6778.86 | 28v | a | ?                    | Google LLC
Git                                                           | 2.47.0        | 60v | a | api,worker,batch,etl | The Git Development Community
Node.js                                                       | 20.18.0       | 45v | a | api,web,gateway      | Node.js Foundation
IIS URL Rewrite Module 2                                      | 7.2.1993      | 0   | a | web,api,gateway      | Microsoft Corporation
Microsoft Web Deploy 4.0                                      | 10.0.8114     | 0   | a | web,api              | Microsoft Corporation
Microsoft ODBC Driver 18 for SQL Server                       | 18.4.1.1      | 0   | a | etl,batch,worker     | Microsoft Corporation
Amazon Corretto                                               | 17.0.13.11    | 90v | a | worker,search,ingest | Amazon
Python 3.12.7 (64-bit)                                        | 3.12.7150.0   | 0   | a | batch,etl,scheduler  | Python Software Foundation
`).map((row) =>
  catalogueRow([cell(row, 0), '', cell(row, 1), cell(row, 2), cell(row, 3), cell(row, 4), '', cell(row, 5)]),
);

/** Updates of the kernel, libc, PID 1 or Windows itself: with RebootOption NoReboot they await a reboot. */
const REBOOT_PACKAGES = new Set(['kernel', 'glibc', 'systemd', 'linux-image-aws', 'libc6', 'cu']);
/** Packages with an epoch; rpm shows it in the patch title. */
const EPOCHS: Readonly<Record<string, string>> = { openssl: '1', 'openssl-libs': '1', 'bind-libs': '32' };

/** CVEs fixed by updates of a source package; the other packages get CVE-style ids of their own. */
const CVES: Readonly<Record<string, readonly string[]>> = {
  openssl: ['CVE-2024-0727', 'CVE-2024-2511', 'CVE-2024-4741', 'CVE-2024-5535'],
  'curl-minimal': ['CVE-2024-2398', 'CVE-2024-6197', 'CVE-2024-7264'],
  curl: ['CVE-2024-2398', 'CVE-2024-7264'],
  glibc: ['CVE-2024-2961', 'CVE-2024-33599', 'CVE-2024-33600'],
  libc6: ['CVE-2024-2961', 'CVE-2024-33599'],
  openssh: ['CVE-2024-6387', 'CVE-2024-6409'],
  'openssh-server': ['CVE-2024-6387', 'CVE-2024-6409'],
  kernel: ['CVE-2024-26925', 'CVE-2024-36971', 'CVE-2024-41009', 'CVE-2024-42284'],
  'linux-image-aws': ['CVE-2024-26925', 'CVE-2024-36971', 'CVE-2024-41009'],
  python3: ['CVE-2024-4032', 'CVE-2024-6232', 'CVE-2024-7592'],
  'python3.10': ['CVE-2024-4032', 'CVE-2024-6232'],
  libxml2: ['CVE-2024-25062', 'CVE-2024-40896'],
  expat: ['CVE-2024-28757', 'CVE-2024-45490', 'CVE-2024-45491'],
  sudo: ['CVE-2023-42465'],
  'krb5-libs': ['CVE-2024-37370', 'CVE-2024-37371'],
  runc: ['CVE-2024-21626'],
  docker: ['CVE-2024-41110'],
  nginx: ['CVE-2024-7347'],
};

interface FamilyInfo {
  readonly packaging: 'rpm' | 'deb' | 'msi';
  readonly catalogue: readonly Software[];
  readonly publisher: string;
  /** The release of an rpm package after `n` updates. */
  readonly release: (n: number) => string;
  /** Patches Patch Manager knows for the OS that do not apply to the node. */
  readonly notApplicable: readonly [number, number];
}

const FAMILIES: Readonly<Record<Family, FamilyInfo>> = {
  al2023: {
    packaging: 'rpm',
    catalogue: RPM,
    publisher: 'Amazon Linux',
    release: (n) => `1.amzn2023.0.${n}`,
    notApplicable: [380, 640],
  },
  al2: {
    packaging: 'rpm',
    catalogue: RPM,
    publisher: 'Amazon Linux',
    release: (n) => `1.amzn2.0.${n}`,
    notApplicable: [900, 1400],
  },
  rhel9: {
    packaging: 'rpm',
    catalogue: RPM,
    publisher: 'Red Hat, Inc.',
    release: (n) => `1.el9_4.${n}`,
    notApplicable: [1100, 1700],
  },
  ubuntu: {
    packaging: 'deb',
    catalogue: DEB,
    publisher: 'Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>',
    release: () => '',
    notApplicable: [300, 520],
  },
  windows: {
    packaging: 'msi',
    catalogue: WINDOWS,
    publisher: 'Microsoft Corporation',
    release: () => '',
    notApplicable: [1800, 2600],
  },
};

function familyOf(platformName: string, version: string): Family {
  if (platformName.startsWith('Microsoft Windows')) return 'windows';
  if (platformName === 'Ubuntu') return 'ubuntu';
  if (platformName.startsWith('Red Hat')) return 'rhel9';
  return version === '2' ? 'al2' : 'al2023';
}

// Release schedules ----------------------------------------------------------------------------------------

/** A sequence of releases: the index of the latest one at an instant. */
interface Schedule {
  indexAt(at: number): number;
}

/** A release every `period` days, at midnight UTC, with a phase of its own. */
function everyDays(period: number, seed: string): Schedule {
  const phase = hash(seed) % period;
  return { indexAt: (at) => Math.floor((Math.floor(at / DAY_MS) + phase) / period) };
}

/** When Microsoft's monthly release `index` (months since 1970) came out: the second Tuesday, 17:00 UTC. */
function patchTuesday(index: number): number {
  const first = new Date(Date.UTC(1970 + Math.floor(index / 12), index % 12, 1));
  const firstTuesday = 1 + ((9 - first.getUTCDay()) % 7);
  return Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), firstTuesday + 7, 17);
}

const PATCH_TUESDAY: Schedule = {
  indexAt(at) {
    const date = new Date(at);
    const month = (date.getUTCFullYear() - 1970) * 12 + date.getUTCMonth();
    return at >= patchTuesday(month) ? month : month - 1;
  },
};

/** Updates since the reference day: the number a version carries. */
function updatesSince(schedule: Schedule, index: number): number {
  return Math.max(0, index - schedule.indexAt(VERSION_REFERENCE) + 12);
}

/** The SSM agent: a release every 14 days. */
const AGENT = everyDays(14, 'amazon-ssm-agent');
const agentVersion = (index: number) => `3.3.${updatesSince(AGENT, index) + 1100}.0`;

/** Adds `n` to the last number of a version: `3.0.2-0ubuntu1.15` -> `3.0.2-0ubuntu1.17`. */
function bumpLast(version: string, n: number): string {
  return version.replace(/(\d+)(\D*)$/, (_, digits: string, rest: string) => `${Number(digits) + n}${rest}`);
}

// Nodes ----------------------------------------------------------------------------------------------------

interface Patching {
  readonly baselineId: string;
  readonly patchGroup: string;
  /** Hour (UTC) of the daily scan. */
  readonly scanHour: number;
  /** The weekly install window (day 0 = Sunday, hour UTC), or null for a node that is only scanned. */
  readonly window: { readonly weekday: number; readonly hour: number } | null;
  readonly rebootOption: 'RebootIfNeeded' | 'NoReboot';
  /** A package of the node its baseline rejects, installed before the rejection. */
  readonly rejected: string | null;
}

interface SampleNode {
  readonly id: string;
  readonly resourceType: 'EC2Instance' | 'ManagedInstance';
  readonly platformType: 'Linux' | 'Windows';
  readonly platformName: string;
  readonly platformVersion: string;
  readonly family: Family;
  /** The package architecture: `x86_64`/`aarch64` (rpm), `amd64`/`arm64` (deb), `x86_64` (Windows). */
  readonly arch: string;
  readonly computerName: string;
  readonly ipAddress: string;
  readonly registeredAt: number;
  /** When the image the node started from was built: its packages are that old. */
  readonly imageBuiltAt: number;
  /** When a stopped instance stopped: its agent reaches SSM no more. */
  readonly stoppedAt: number | null;
  readonly autoUpdatesAgent: boolean;
  readonly associationHour: number;
  readonly associationFails: boolean;
  readonly software: readonly Software[];
  /** Null for a node no patch policy covers: Patch Manager never scanned it. */
  readonly patching: Patching | null;
  readonly iamRole: string;
  readonly hybrid: { readonly name: string; readonly activationId: string } | null;
}

function computerName(instance: SampleInstance, region: string, random: Random): string {
  if (instance.platform === 'Windows') {
    const chars = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'];
    return `EC2AMAZ-${Array.from({ length: 7 }, () => random.pick(chars)).join('')}`;
  }
  const host = `ip-${instance.privateIp.replaceAll('.', '-')}`;
  return region === 'us-east-1' ? `${host}.ec2.internal` : `${host}.${region}.compute.internal`;
}

/** The kind of work a node does: the inventory names instances `<product>-<workload>-<n>`. */
function workloadOf(name: string): string {
  return name.split('-').at(-2) ?? '';
}

function softwareOf(family: Family, workload: string, random: Random): Software[] {
  return FAMILIES[family].catalogue.filter((s) => {
    if (s.workloads) return s.workloads.includes(workload) && random.chance(0.85);
    return !s.optional || random.chance(0.5);
  });
}

function patchingOf(account: SampleAccount, region: string, family: Family, random: Random): Patching {
  const weekend = account.environment === 'production';
  return {
    baselineId: `pb-0${new Random(account.id, region, family, 'baseline').hex(16)}`,
    patchGroup: random.chance(0.6) ? account.environment : '',
    scanHour: random.int(0, 23),
    // Sandboxes are scanned, never patched.
    window:
      account.environment === 'sandbox'
        ? null
        : { weekday: weekend ? random.pick([0, 6]) : random.int(1, 5), hour: random.int(0, 23) },
    rebootOption: random.chance(0.2) ? 'NoReboot' : 'RebootIfNeeded',
    rejected: null,
  };
}

function archOf(family: Family, arm: boolean): string {
  if (family === 'windows') return 'x86_64';
  if (family === 'ubuntu') return arm ? 'arm64' : 'amd64';
  return arm ? 'aarch64' : 'x86_64';
}

function ec2Node(account: SampleAccount, region: string, instance: SampleInstance): SampleNode {
  const random = new Random(instance.id, 'ssm');
  const family = familyOf(instance.platformName, instance.platformVersion);
  const registeredAt = instance.createdAt.getTime() + random.int(2, 6) * MINUTE_MS;
  const software = softwareOf(family, workloadOf(instance.name), random);
  const covered = !random.chance(0.07);
  const patching = patchingOf(account, region, family, random);
  const rejectable = software.filter((s) => ['docker', 'docker.io', 'nodejs'].includes(s.name));
  const rejected = rejectable.length > 0 && random.chance(0.1) ? random.pick(rejectable).name : null;
  return {
    id: instance.id,
    resourceType: 'EC2Instance',
    platformType: instance.platform,
    platformName: instance.platformName,
    platformVersion: instance.platformVersion,
    family,
    arch: archOf(family, instance.architecture === 'arm64'),
    computerName: computerName(instance, region, random),
    ipAddress: instance.privateIp,
    registeredAt,
    imageBuiltAt: instance.createdAt.getTime() - random.int(3, 60) * DAY_MS,
    // The inventory's stopped instances were stopped within days of their launch.
    stoppedAt: instance.state === 'stopped' ? registeredAt + random.int(20, 4_320) * MINUTE_MS : null,
    autoUpdatesAgent: random.chance(0.7),
    associationHour: random.int(0, 23),
    associationFails: random.chance(0.05),
    software,
    patching: covered ? { ...patching, rejected } : null,
    iamRole: random.chance(0.5)
      ? 'AmazonSSMRoleForInstancesQuickSetup'
      : `${account.product ?? account.name}-ec2`,
    hybrid: null,
  };
}

/** The on-premises servers of the platform accounts, registered with a hybrid activation long ago. */
const DATA_CENTER = table(`
dc1-ad-01      | Microsoft Windows Server 2022 Standard | 10.0.20348 | Windows
dc1-files-01   | Ubuntu                                 | 22.04      | Linux
dc1-bastion-01 | Red Hat Enterprise Linux               | 9.3        | Linux
`);

function hybridNodes(account: SampleAccount, region: string): SampleNode[] {
  return DATA_CENTER.map((row, i) => {
    const name = cell(row, 0);
    const random = new Random(account.id, 'hybrid', name);
    const family = familyOf(cell(row, 1), cell(row, 2));
    const registeredAt = account.joinedAt.getTime() + random.int(30, 300) * DAY_MS;
    return {
      id: `mi-0${random.hex(16)}`,
      resourceType: 'ManagedInstance',
      platformType: cell(row, 3) === 'Windows' ? 'Windows' : 'Linux',
      platformName: cell(row, 1),
      platformVersion: cell(row, 2),
      family,
      arch: archOf(family, false),
      computerName: `${name}.corp.example.com`,
      ipAddress: `192.168.10.${11 + i}`,
      registeredAt,
      imageBuiltAt: registeredAt - random.int(30, 400) * DAY_MS,
      stoppedAt: null,
      autoUpdatesAgent: true,
      associationHour: random.int(0, 23),
      associationFails: false,
      software: softwareOf(family, 'infra', random),
      patching: { ...patchingOf(account, region, family, random), window: { weekday: 0, hour: 2 } },
      iamRole: 'SSMServiceRole',
      hybrid: { name, activationId: random.uuid() },
    };
  });
}

const nodeCache = new Map<string, SampleNode[]>();

/** The account's managed nodes in a region on the day of `now`, including ones registered later that day. */
function nodesOfDay(call: SampleCall): SampleNode[] {
  const { account, region, regions, now } = call;
  const key = `${account.id}|${region}|${regions.join(',')}|${Math.floor(now.getTime() / DAY_MS)}`;
  const cached = nodeCache.get(key);
  if (cached) return cached;
  if (nodeCache.size > 2_000) nodeCache.clear();
  const nodes = regionInventory(account, region, regions, now)
    .instances.filter((i) => i.ssmManaged)
    .map((i) => ec2Node(account, region, i));
  if (account.product === null && account.environment === 'production' && region === regions[0]) {
    nodes.push(...hybridNodes(account, region));
  }
  nodeCache.set(key, nodes);
  return nodes;
}

/** The nodes registered at `now`. */
function nodesOf(call: SampleCall): SampleNode[] {
  return nodesOfDay(call).filter((n) => n.registeredAt <= call.now.getTime());
}

const startOfDay = (at: number) => Math.floor(at / DAY_MS) * DAY_MS;

/** When the node's agent last reached SSM, if it no longer does: stopped, or broken (one node in 30 a day). */
function lostAt(node: SampleNode, now: Date): number | null {
  if (node.stoppedAt !== null && node.stoppedAt <= now.getTime()) return node.stoppedAt;
  const today = startOfDay(now.getTime());
  const random = new Random(node.id, 'agent', today);
  if (!random.chance(1 / 30)) return null;
  const since = Math.max(node.registeredAt, today - random.int(1, 30) * HOUR_MS);
  return since <= now.getTime() ? since : null;
}

/**
 * The instant a node's stored data describes: the start of today for a node in touch (its inventory and patch
 * runs of yesterday are the latest), or the last time its agent reached SSM.
 */
function recordedAt(node: SampleNode, now: Date): number {
  return Math.min(startOfDay(now.getTime()), lostAt(node, now) ?? Number.POSITIVE_INFINITY);
}

/** A daily event at `hour`: its last occurrence at or before `at`. */
function lastDaily(hour: number, at: number): number {
  const sameDay = startOfDay(at) + hour * HOUR_MS;
  return sameDay <= at ? sameDay : sameDay - DAY_MS;
}

/** The install windows of a node since its registration up to `at`, oldest first (a year of them at most). */
function windowsUntil(node: SampleNode, at: number): number[] {
  const window = node.patching?.window;
  if (!window) return [];
  const day = Math.floor(at / DAY_MS);
  const back = (new Date(day * DAY_MS).getUTCDay() - window.weekday + 7) % 7;
  let start = (day - back) * DAY_MS + window.hour * HOUR_MS;
  if (start > at) start -= 7 * DAY_MS;
  const times: number[] = [];
  for (; start >= node.registeredAt && times.length < 53; start -= 7 * DAY_MS) times.unshift(start);
  return times;
}

/** The node's SSM agent release at `at`: updated within two days of each release, or the image's. */
function agentIndex(node: SampleNode, at: number): number {
  return AGENT.indexAt(node.autoUpdatesAgent ? at - 2 * DAY_MS : node.imageBuiltAt);
}

// What a node has installed -------------------------------------------------------------------------------

/** Where one update stream stands on a node. */
interface StreamState {
  readonly installed: number;
  readonly installedAt: number;
  /** A release whose install failed at the last window that tried it, still not installed. */
  readonly failed: number | null;
  /** Installed at the last window, without the reboot it needs. */
  readonly pendingReboot: boolean;
  /** The latest release the baseline approves. */
  readonly approved: number;
  /** The latest release, approved or not. */
  readonly released: number;
}

/** What the node's install windows up to `at` made of one update stream (a package, a monthly update). */
function streamState(
  node: SampleNode,
  key: string,
  schedule: Schedule,
  windows: readonly number[],
  at: number,
): StreamState {
  let installed = schedule.indexAt(node.imageBuiltAt);
  let installedAt = node.imageBuiltAt;
  let failed: number | null = null;
  let changedAt = Number.NaN;
  let last = Number.NaN;
  for (const window of windows) {
    if (window > at) break;
    last = window;
    const target = schedule.indexAt(window - APPROVAL_DELAY_MS);
    if (target <= installed) continue;
    if (new Random(node.id, key, window).chance(0.015)) {
      failed = target;
      continue;
    }
    installed = target;
    installedAt = window + new Random(node.id, key, 'took', window).int(2, 25) * MINUTE_MS;
    changedAt = window;
    failed = null;
  }
  return {
    installed,
    installedAt,
    failed: failed !== null && failed > installed ? failed : null,
    pendingReboot:
      node.patching?.rebootOption === 'NoReboot' && REBOOT_PACKAGES.has(key) && changedAt === last,
    approved: schedule.indexAt(at - APPROVAL_DELAY_MS),
    released: schedule.indexAt(at),
  };
}

/**
 * Packages built from one source are updated together (openssl and openssl-libs), as are the parts of one
 * Windows runtime; the rest are their own source.
 */
const SOURCES: Readonly<Record<string, string>> = {
  'glibc-common': 'glibc',
  'glibc-minimal-langpack': 'glibc',
  'openssl-libs': 'openssl',
  'libcurl-minimal': 'curl-minimal',
  'python3-libs': 'python3',
  'systemd-libs': 'systemd',
  'openssh-server': 'openssh',
  'openssh-clients': 'openssh',
  'libc-bin': 'libc6',
  libssl3: 'openssl',
  libcurl4: 'curl',
  'libpython3.10': 'python3.10',
  libsystemd0: 'systemd',
  'openssh-client': 'openssh-server',
  'Microsoft Edge WebView2 Runtime': 'Microsoft Edge',
  'Microsoft ASP.NET Core {v} - Shared Framework (x64)': 'Microsoft .NET Runtime - {v} (x64)',
  'Microsoft Windows Desktop Runtime - {v} (x64)': 'Microsoft .NET Runtime - {v} (x64)',
  'Microsoft Visual C++ 2015-2022 Redistributable (x86) - {v}':
    'Microsoft Visual C++ 2015-2022 Redistributable (x64) - {v}',
  'Microsoft Visual C++ 2022 X64 Minimum Runtime - {v}':
    'Microsoft Visual C++ 2015-2022 Redistributable (x64) - {v}',
  'Microsoft Visual C++ 2022 X64 Additional Runtime - {v}':
    'Microsoft Visual C++ 2015-2022 Redistributable (x64) - {v}',
  'Microsoft Visual C++ 2022 X86 Minimum Runtime - {v}':
    'Microsoft Visual C++ 2015-2022 Redistributable (x64) - {v}',
  'Microsoft Visual C++ 2022 X86 Additional Runtime - {v}':
    'Microsoft Visual C++ 2015-2022 Redistributable (x64) - {v}',
};
const sourceOf = (software: Software) => SOURCES[software.name] ?? software.name;

const scheduleOf = (family: Family, software: Software) =>
  everyDays(software.period, `${family}|${sourceOf(software)}`);

/** One installed build of a package or program, as AWS:Application reports it. */
interface Installed {
  readonly software: Software;
  readonly version: string;
  readonly release: string;
  readonly installedAt: number;
}

function build(node: SampleNode, software: Software, index: number, installedAt: number): Installed {
  const { packaging, release } = FAMILIES[node.family];
  const base = RPM_VERSIONS[node.family]?.[software.name] ?? software.version;
  if (software.period === 0) return { software, version: base, release: release(0), installedAt };
  const n = updatesSince(scheduleOf(node.family, software), index);
  if (packaging === 'rpm' && software.bumps === 'release') {
    return { software, version: base, release: release(n), installedAt };
  }
  return {
    software,
    version: bumpLast(base, n),
    release: packaging === 'rpm' ? release(0) : '',
    installedAt,
  };
}

interface SamplePatch {
  readonly Title: string;
  readonly KBId: string;
  readonly Classification: string;
  readonly Severity: string;
  readonly State: PatchState;
  readonly InstalledTime: Date;
  readonly CVEIds?: string;
}

interface NodeRecord {
  /** When the inventory association last ran: the applications are as of then. */
  readonly capturedAt: number;
  readonly applications: readonly Installed[];
  /** Patches and patch summary as of the last scan or install; none before the first one. */
  readonly patches: readonly SamplePatch[];
  readonly patchState: object | null;
}

/** The node's applications at `at`. */
function applicationsAt(node: SampleNode, windows: readonly number[], at: number): Installed[] {
  const applications: Installed[] = [];
  for (const software of node.software) {
    if (software.version === 'agent') {
      const version = agentVersion(agentIndex(node, at));
      applications.push({ software, version, release: '', installedAt: node.registeredAt });
    } else if (software.period === 0) {
      applications.push(build(node, software, 0, node.imageBuiltAt));
    } else {
      const schedule = scheduleOf(node.family, software);
      const state = streamState(node, sourceOf(software), schedule, windows, at);
      applications.push(build(node, software, state.installed, state.installedAt));
      // dnf keeps the previous kernel beside the new one.
      if (software.name === 'kernel' && state.installed > schedule.indexAt(node.imageBuiltAt)) {
        applications.push(build(node, software, state.installed - 1, node.imageBuiltAt));
      }
    }
  }
  return applications;
}

/** The node's patches as Patch Manager's operation at `at` found them. */
function patchesAt(node: SampleNode, windows: readonly number[], at: number): SamplePatch[] {
  const patches = otherPatches(node);
  if (node.family === 'windows') return [...windowsPatches(node, windows, at), ...patches];
  for (const software of node.software) {
    if (software.period === 0) continue;
    const state = streamState(node, sourceOf(software), scheduleOf(node.family, software), windows, at);
    patches.unshift(...linuxPatches(node, software, state));
  }
  return patches;
}

const recordCache = new Map<string, NodeRecord>();

/** The node's software inventory and patches as of the instant its stored data describes. */
function recordOf(node: SampleNode, now: Date): NodeRecord {
  const at = recordedAt(node, now);
  const key = `${node.id}|${at}`;
  const cached = recordCache.get(key);
  if (cached) return cached;
  if (recordCache.size > 20_000) recordCache.clear();
  const windows = windowsUntil(node, at);
  const capturedAt = lastDaily(node.associationHour, at);
  const operation = lastOperation(node, windows, at);
  const patches = operation ? patchesAt(node, windows, operation.start) : [];
  const record: NodeRecord = {
    capturedAt,
    applications: capturedAt >= node.registeredAt ? applicationsAt(node, windows, capturedAt) : [],
    patches,
    patchState: operation ? patchStateOf(node, operation, patches) : null,
  };
  recordCache.set(key, record);
  return record;
}

/** `openssl-libs.x86_64:1:3.0.8-1.amzn2023.0.14` (rpm), `libssl3.amd64:3.0.2-0ubuntu1.17` (deb). */
function packageTitle(node: SampleNode, installed: Installed): string {
  const { software } = installed;
  if (node.family === 'ubuntu')
    return `${software.name}.${software.noarch ? 'all' : node.arch}:${installed.version}`;
  const arch = software.noarch ? 'noarch' : node.arch;
  return `${software.name}.${arch}:${EPOCHS[software.name] ?? '0'}:${installed.version}-${installed.release}`;
}

/** The advisory of a release: classification and severity as the OS's patch baselines know them. */
function advisory(node: SampleNode, software: Software, index: number) {
  const random = new Random(node.family, sourceOf(software), index, 'advisory');
  const security = random.chance(0.6);
  if (node.family === 'ubuntu') {
    // Ubuntu patches carry the package's section and priority.
    const priority = software.extra.charAt(0).toUpperCase() + software.extra.slice(1);
    return { classification: software.group, severity: priority, security, random };
  }
  return {
    classification: security ? 'Security' : random.chance(0.8) ? 'Bugfix' : 'Enhancement',
    severity: security
      ? random.weighted(['Critical', 'Important', 'Medium', 'Low'], [8, 37, 40, 15])
      : 'None',
    security,
    random,
  };
}

function cveIds(software: Software, random: Random): string {
  const known = CVES[sourceOf(software)];
  const count = random.int(1, 3);
  const ids = known
    ? Array.from({ length: count }, (_, i) => known[(random.int(0, 9) + i) % known.length] as string)
    : Array.from({ length: count }, () => `CVE-${random.int(2023, 2025)}-${random.int(20000, 52999)}`);
  return [...new Set(ids)].join(',');
}

/** A patch not installed: AWS reports it installed at the Unix epoch. */
const NEVER = new Date(0);

function linuxPatches(node: SampleNode, software: Software, state: StreamState): SamplePatch[] {
  const patch = (index: number, patchState: PatchState, installedAt: number | null): SamplePatch => {
    const release = build(node, software, index, installedAt ?? 0);
    const { classification, severity, security, random } = advisory(node, software, index);
    const title = packageTitle(node, release);
    return {
      Title: title,
      KBId: title,
      Classification: classification,
      Severity: severity,
      State: patchState,
      InstalledTime: installedAt === null ? NEVER : new Date(installedAt),
      // AWS reports CVEs only for missing and failed patches.
      ...(installedAt === null && security ? { CVEIds: cveIds(software, random) } : {}),
    };
  };
  const installedState: PatchState =
    node.patching?.rejected === software.name
      ? 'InstalledRejected'
      : state.pendingReboot
        ? 'InstalledPendingReboot'
        : 'Installed';
  const patches = [patch(state.installed, installedState, state.installedAt)];
  if (state.failed !== null) patches.push(patch(state.failed, 'Failed', null));
  if (state.approved > Math.max(state.installed, state.failed ?? -1)) {
    patches.push(patch(state.approved, 'Missing', null));
  }
  return patches;
}

/** Monthly Windows updates: the OS cumulative update, the .NET Framework one, the malicious software tool. */
const WINDOWS_UPDATES = [
  {
    key: 'cu',
    classification: 'SecurityUpdates',
    severity: 'Critical',
    title: (month: string, kb: string) =>
      `${month} Cumulative Update for Microsoft server operating system version 21H2 for x64-based Systems ` +
      `(${kb})`,
    kb: (index: number) => `KB${5_000_000 + ((index * 7_919) % 99_000)}`,
  },
  {
    key: 'dotnet',
    classification: 'SecurityUpdates',
    severity: 'Important',
    title: (month: string, kb: string) =>
      `${month} Cumulative Update for .NET Framework 3.5, 4.8 and 4.8.1 for Microsoft server operating system ` +
      `version 21H2 for x64 (${kb})`,
    kb: (index: number) => `KB${5_000_000 + ((index * 6_037 + 41_000) % 99_000)}`,
  },
  {
    key: 'msrt',
    classification: 'UpdateRollups',
    severity: 'Unspecified',
    // One KB for every monthly release of the tool: only the title tells them apart.
    title: (_month: string, kb: string, index: number) =>
      `Windows Malicious Software Removal Tool x64 - v5.${updatesSince(PATCH_TUESDAY, index) + 110} (${kb})`,
    kb: () => 'KB890830',
  },
] as const;

function windowsPatches(node: SampleNode, windows: readonly number[], at: number): SamplePatch[] {
  const patches: SamplePatch[] = [];
  for (const update of WINDOWS_UPDATES) {
    const state = streamState(node, update.key, PATCH_TUESDAY, windows, at);
    const security = update.classification === 'SecurityUpdates';
    const patch = (index: number, patchState: PatchState, installedAt: number | null): SamplePatch => {
      const released = new Date(patchTuesday(index));
      const month = `${released.getUTCFullYear()}-${String(released.getUTCMonth() + 1).padStart(2, '0')}`;
      const kb = update.kb(index);
      const random = new Random(update.key, index);
      const cves = Array.from(
        { length: random.int(2, 4) },
        () => `CVE-${released.getUTCFullYear()}-${random.int(21000, 49999)}`,
      );
      return {
        Title: update.title(month, kb, index),
        KBId: kb,
        Classification: update.classification,
        Severity: update.severity,
        State: patchState,
        // Windows reports the day of installation.
        InstalledTime: installedAt === null ? NEVER : new Date(startOfDay(installedAt)),
        ...(installedAt === null && security ? { CVEIds: cves.join(',') } : {}),
      };
    };
    const installedState = state.pendingReboot ? 'InstalledPendingReboot' : 'Installed';
    patches.push(patch(state.installed, installedState, state.installedAt));
    if (state.failed !== null) patches.push(patch(state.failed, 'Failed', null));
    const newest = Math.max(state.installed, state.failed ?? -1);
    if (state.approved > newest) patches.push(patch(state.approved, 'Missing', null));
    // A security update is out that the baseline has not approved yet.
    else if (state.released > newest && security)
      patches.push(patch(state.released, 'AvailableSecurityUpdate', null));
  }
  return patches;
}

/** Packages some images add from repositories no baseline covers. */
const THIRD_PARTY = ['python3-setuptools', 'libyaml', 'python3-jmespath', 'lsof'];

/** Updates installed outside the baseline (from the image): AWS reports them without title or severity. */
function otherPatches(node: SampleNode): SamplePatch[] {
  const random = new Random(node.id, 'installed-other');
  const kbs = new Set(
    Array.from({ length: random.int(0, 3) }, () =>
      node.family === 'windows'
        ? `KB${random.int(4_900_000, 5_049_999)}`
        : `${random.pick(THIRD_PARTY)}.noarch:0:${random.int(1, 9)}.${random.int(0, 9)}.${random.int(0, 9)}-1`,
    ),
  );
  return [...kbs].map((kb) => ({
    Title: '',
    KBId: kb,
    Classification: '',
    Severity: '',
    State: 'InstalledOther',
    InstalledTime: new Date(startOfDay(node.imageBuiltAt)),
  }));
}

/** The node's last patching operation before `at`: its daily scan or its weekly install, the later one. */
function lastOperation(node: SampleNode, windows: readonly number[], at: number) {
  if (!node.patching) return null;
  const scan = lastDaily(node.patching.scanHour, at);
  const install = windows.findLast((w) => w <= at) ?? Number.NEGATIVE_INFINITY;
  const start = Math.max(scan, install);
  return start < node.registeredAt ? null : { start, installing: install >= scan };
}

/** DescribeInstancePatchStates of the node: counts that agree with its patches, and the last operation. */
function patchStateOf(
  node: SampleNode,
  operation: { start: number; installing: boolean },
  patches: readonly SamplePatch[],
): object {
  const patching = node.patching as Patching;
  const random = new Random(node.id, 'patch-state', operation.start);
  const end =
    operation.start +
    (operation.installing ? random.int(8, 40) : random.int(1, 4)) * MINUTE_MS +
    random.int(0, 59) * 1000;
  const count = (state: PatchState) => patches.filter((p) => p.State === state).length;
  const open = patches.filter((p) =>
    ['Missing', 'Failed', 'InstalledPendingReboot', 'InstalledRejected'].includes(p.State),
  );
  const critical = open.filter((p) => p.Severity === 'Critical').length;
  const security = open.filter(
    (p) => p.Severity !== 'Critical' && ['Security', 'SecurityUpdates'].includes(p.Classification),
  ).length;
  const [low, high] = FAMILIES[node.family].notApplicable;
  return {
    InstanceId: node.id,
    PatchGroup: patching.patchGroup,
    BaselineId: patching.baselineId,
    InstalledCount: count('Installed'),
    InstalledOtherCount: count('InstalledOther'),
    InstalledPendingRebootCount: count('InstalledPendingReboot'),
    InstalledRejectedCount: count('InstalledRejected'),
    MissingCount: count('Missing'),
    FailedCount: count('Failed'),
    UnreportedNotApplicableCount: 0,
    NotApplicableCount: new Random(node.id, 'not-applicable').int(low, high),
    ...(node.family === 'windows' ? { AvailableSecurityUpdateCount: count('AvailableSecurityUpdate') } : {}),
    OperationStartTime: new Date(operation.start),
    OperationEndTime: new Date(end),
    Operation: operation.installing ? 'Install' : 'Scan',
    RebootOption: patching.rebootOption,
    ...(patching.rebootOption === 'NoReboot' && operation.installing
      ? { LastNoRebootInstallOperationTime: new Date(end) }
      : {}),
    CriticalNonCompliantCount: critical,
    SecurityNonCompliantCount: security,
    OtherNonCompliantCount: open.length - critical - security,
  };
}

// The operations -------------------------------------------------------------------------------------------

function validation(message: string): Error {
  return awsError('ValidationException', `1 validation error detected: ${message}`);
}

function invalidNextToken(): Error {
  return awsError('InvalidNextToken', 'The specified token is not valid.');
}

/** What an SSM call in an opt-in region the account has not enabled gets: unrecognised credentials. */
function unrecognizedClient(): Error {
  return awsError('UnrecognizedClientException', 'The security token included in the request is invalid.');
}

function checkMaxResults(value: unknown, min: number, max: number): void {
  if (value === undefined) return;
  const constraint = !Number.isInteger(value)
    ? 'Member must be an integer'
    : (value as number) > max
      ? `Member must have value less than or equal to ${max}`
      : (value as number) < min
        ? `Member must have value greater than or equal to ${min}`
        : null;
  if (constraint)
    throw validation(`Value '${value}' at 'maxResults' failed to satisfy constraint: ${constraint}`);
}

function checkInstanceId(value: unknown, field: string): string {
  if (value === undefined || value === null) {
    throw validation(`Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  }
  if (typeof value !== 'string' || !INSTANCE_ID_PATTERN.test(value)) {
    throw validation(
      `Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${INSTANCE_ID_PATTERN.source}`,
    );
  }
  return value;
}

function nodeById(call: SampleCall, id: string): SampleNode {
  const node = nodesOf(call).find((n) => n.id === id);
  if (!node) {
    throw awsError(
      'InvalidInstanceId',
      `Instances [[${id}]] not in a valid state for account ${call.account.id}`,
    );
  }
  return node;
}

/** The node as DescribeInstanceInformation describes it at `now`. */
function informationOf(node: SampleNode, now: Date): object {
  const lost = lostAt(node, now);
  const lastPing = lost ?? Math.max(node.registeredAt, now.getTime() - ((hash(node.id) % 290) + 5) * 1000);
  const firstRun = node.registeredAt + 5 * MINUTE_MS;
  const ran = lastDaily(node.associationHour, lastPing);
  const lastRun = ran >= firstRun ? ran : lastPing >= firstRun ? firstRun : null;
  const lastSuccess = lastRun !== null && node.associationFails ? lastRun - DAY_MS : lastRun;
  const status = node.associationFails ? 'Failed' : 'Success';
  const agent = agentIndex(node, lastPing);
  return {
    InstanceId: node.id,
    PingStatus: lost === null ? 'Online' : 'ConnectionLost',
    LastPingDateTime: new Date(lastPing),
    AgentVersion: agentVersion(agent),
    IsLatestVersion: agent === AGENT.indexAt(now.getTime()),
    PlatformType: node.platformType,
    PlatformName: node.platformName,
    PlatformVersion: node.platformVersion,
    IamRole: node.iamRole,
    ResourceType: node.resourceType,
    IPAddress: node.ipAddress,
    ComputerName: node.computerName,
    ...(lastRun === null
      ? { AssociationStatus: 'Pending' }
      : {
          AssociationStatus: status,
          LastAssociationExecutionDate: new Date(lastRun),
          ...(lastSuccess !== null && lastSuccess >= firstRun
            ? { LastSuccessfulAssociationExecutionDate: new Date(lastSuccess) }
            : {}),
          AssociationOverview: {
            DetailedStatus: status,
            InstanceAssociationStatusAggregatedCount: node.associationFails
              ? { Failed: 1, Success: 1 }
              : { Success: 2 },
          },
        }),
    SourceId: node.id,
    SourceType: node.hybrid ? 'AWS::SSM::ManagedInstance' : 'AWS::EC2::Instance',
    ...(node.hybrid
      ? {
          Name: node.hybrid.name,
          ActivationId: node.hybrid.activationId,
          RegistrationDate: new Date(node.registeredAt),
        }
      : {}),
  };
}

function describeInstanceInformation(call: SampleCall): object {
  const { MaxResults, NextToken, InstanceInformationFilterList, Filters } = call.input;
  checkMaxResults(MaxResults, 5, 50);
  if (InstanceInformationFilterList !== undefined || Filters !== undefined) {
    throw validation('the sample organization does not filter managed nodes');
  }
  const { page, nextToken } = paginate(nodesOf(call), {
    token: NextToken,
    pageSize: Math.min(MaxResults ?? 10, NODES_SERVER_PAGE),
    request: { MaxResults, account: call.account.id, region: call.region },
    invalidToken: invalidNextToken,
  });
  return {
    InstanceInformationList: page.map((node) => informationOf(node, call.now)),
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

const isoSeconds = (at: number) => `${new Date(at).toISOString().slice(0, 19)}Z`;

/** AWS:Application's attributes, every value a string. */
function entryOf(node: SampleNode, installed: Installed): Record<string, string> {
  const { software } = installed;
  const info = FAMILIES[node.family];
  if (info.packaging === 'msi') {
    return {
      Name: software.name.replace('{v}', installed.version),
      ApplicationType: '',
      Publisher: software.extra,
      Version: installed.version,
      InstalledTime: isoSeconds(startOfDay(installed.installedAt)),
      Architecture: software.noarch ? 'i386' : 'x86_64',
      URL: '',
      Summary: '',
      PackageId: '',
    };
  }
  const arch = software.noarch ? (info.packaging === 'deb' ? 'all' : 'noarch') : node.arch;
  return {
    Name: software.name,
    ApplicationType: software.group,
    Publisher: info.publisher,
    Version: installed.version,
    Release: installed.release,
    Epoch: info.packaging === 'rpm' ? (EPOCHS[software.name] ?? '') : '',
    InstalledTime: isoSeconds(installed.installedAt),
    Architecture: arch,
    URL: '',
    Summary: software.summary,
    PackageId:
      info.packaging === 'rpm'
        ? `${software.name}-${installed.version}-${installed.release}.${arch}.rpm`
        : `${software.name}_${installed.version}_${arch}.deb`,
  };
}

function listInventoryEntries(call: SampleCall): object {
  const { InstanceId, TypeName, Filters, MaxResults, NextToken } = call.input;
  const id = checkInstanceId(InstanceId, 'instanceId');
  if (TypeName === undefined || TypeName === null) {
    throw validation("Value null at 'typeName' failed to satisfy constraint: Member must not be null");
  }
  if (!/^(AWS|Custom):.*$/.test(TypeName) || TypeName.length > 100) {
    throw validation(
      `Value '${TypeName}' at 'typeName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(AWS|Custom):.*$`,
    );
  }
  checkMaxResults(MaxResults, 1, 50);
  if (Filters !== undefined) throw validation('the sample organization does not filter inventory entries');
  if (TypeName !== 'AWS:Application') {
    throw awsError('InvalidTypeNameException', `The parameter type name is not valid: ${TypeName}`);
  }
  const node = nodeById(call, id);
  const record = recordOf(node, call.now);
  const entries = record.applications.map((a) => entryOf(node, a));
  const { page, nextToken } = paginate(entries, {
    token: NextToken,
    pageSize: Math.min(MaxResults ?? 50, ENTRIES_SERVER_PAGE),
    request: { InstanceId, TypeName, MaxResults },
    invalidToken: invalidNextToken,
  });
  return {
    TypeName,
    InstanceId: id,
    SchemaVersion: '1.1',
    ...(entries.length > 0 ? { CaptureTime: isoSeconds(record.capturedAt) } : {}),
    Entries: page,
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

const PATCH_FILTER_KEYS: Readonly<Record<string, (p: SamplePatch) => string>> = {
  Classification: (p) => p.Classification,
  KBId: (p) => p.KBId,
  Severity: (p) => p.Severity,
  State: (p) => p.State,
};

function describeInstancePatches(call: SampleCall): object {
  const { InstanceId, Filters, MaxResults, NextToken } = call.input;
  const id = checkInstanceId(InstanceId, 'instanceId');
  checkMaxResults(MaxResults, 10, 100);
  const filters: Array<{ Key?: string; Values?: string[] }> = Filters ?? [];
  if (filters.length > 5) {
    throw validation(
      "Value at 'filters' failed to satisfy constraint: Member must have length less than or equal to 5",
    );
  }
  const tests = filters.map((filter) => {
    const read = PATCH_FILTER_KEYS[filter.Key ?? ''];
    if (!read || !filter.Values?.length)
      throw awsError('InvalidFilter', `The filter is not valid: ${filter.Key}`);
    const values = filter.Values;
    // The values of one filter are alternatives; every filter applies.
    return (patch: SamplePatch) => values.includes(read(patch));
  });
  const node = nodeById(call, id);
  const patches = recordOf(node, call.now).patches.filter((patch) => tests.every((test) => test(patch)));
  const { page, nextToken } = paginate(patches, {
    token: NextToken,
    pageSize: Math.min(MaxResults ?? 100, PATCHES_SERVER_PAGE),
    request: { InstanceId, Filters, MaxResults },
    invalidToken: invalidNextToken,
  });
  return { Patches: page, ...(nextToken ? { NextToken: nextToken } : {}) };
}

function describeInstancePatchStates(call: SampleCall): object {
  const { InstanceIds, MaxResults, NextToken } = call.input;
  if (!Array.isArray(InstanceIds)) {
    throw validation("Value null at 'instanceIds' failed to satisfy constraint: Member must not be null");
  }
  if (InstanceIds.length > 50) {
    throw validation(
      "Value at 'instanceIds' failed to satisfy constraint: Member must have length less than or equal to 50",
    );
  }
  InstanceIds.forEach((id, i) => {
    checkInstanceId(id, `instanceIds.${i + 1}.member`);
  });
  checkMaxResults(MaxResults, 10, 100);
  const wanted = new Set<string>(InstanceIds);
  const states = nodesOf(call)
    .filter((node) => wanted.has(node.id))
    .map((node) => recordOf(node, call.now).patchState)
    .filter((state) => state !== null);
  const { page, nextToken } = paginate(states, {
    token: NextToken,
    pageSize: Math.min(MaxResults ?? 50, PATCH_STATES_SERVER_PAGE),
    request: { InstanceIds, MaxResults },
    invalidToken: invalidNextToken,
  });
  return { InstancePatchStates: page, ...(nextToken ? { NextToken: nextToken } : {}) };
}

export const ssmSimulator: ServiceSimulator = {
  service: 'SSM',
  operations: {
    DescribeInstanceInformation: describeInstanceInformation,
    ListInventoryEntries: listInventoryEntries,
    DescribeInstancePatches: describeInstancePatches,
    DescribeInstancePatchStates: describeInstancePatchStates,
  },
  // Systems Manager needs no enabling (an account without managed nodes lists none); what fails is a region
  // the account has not opted in to, where AWS does not recognise the account's credentials.
  notEnabled: () => unrecognizedClient(),
  malform(operation, output) {
    const copy = structuredClone(output) as Record<string, unknown>;
    const first = (list: string) => (copy[list] as Array<Record<string, unknown>> | undefined)?.[0];
    if (operation === 'DescribeInstanceInformation') delete first('InstanceInformationList')?.InstanceId;
    else if (operation === 'ListInventoryEntries') delete first('Entries')?.Name;
    else if (operation === 'DescribeInstancePatches') delete first('Patches')?.KBId;
    else delete first('InstancePatchStates')?.BaselineId;
    return copy;
  },
};
