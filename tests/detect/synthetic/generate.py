#!/usr/bin/env python3
"""Generates the synthetic captures of tests/detect/synthetic/ and their expected verdicts.

No public capture shows these devices, so each is built, packet by packet, from the
documented behaviour of its operating system (sources cited at each builder below): what its
DHCP client sends, what it announces over mDNS, how it checks for a captive portal, which
User-Agent its browser sends, what its TCP SYN looks like. Where a detail is not publicly
documented, the builder says so and what it assumes.

Output is deterministic (fixed addresses, timestamps and transaction ids): running the
generator again must reproduce the committed files byte for byte (synthetic_test.py checks).

usage: generate.py [--out DIR]      (default: this script's directory)
Standard library only.
"""
import argparse
import json
import pathlib
import struct

BASE_TS_US = 1679295600 * 1000000  # 2023-03-20T07:00:00Z, in microseconds

# ---------------------------------------------------------------------------------------------
# Packet building (Ethernet II, IPv4, UDP, TCP; RFC 791, 768, 9293)
# ---------------------------------------------------------------------------------------------


def mac_bytes(text):
    return bytes(int(x, 16) for x in text.split(":"))


def ip_bytes(text):
    return bytes(int(x) for x in text.split("."))


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


class Capture:
    def __init__(self):
        self.frames = []
        self.ts_us = BASE_TS_US
        self.ip_id = 0x1000

    def tick(self, seconds=0.05):
        self.ts_us += int(round(seconds * 1000000))

    def ethernet(self, src, dst, ethertype, payload):
        frame = mac_bytes(dst) + mac_bytes(src) + struct.pack("!H", ethertype) + payload
        self.frames.append((self.ts_us, frame))
        self.tick()

    def ipv4(self, src_mac, dst_mac, src, dst, proto, payload, ttl=64, df=True, ecn=0):
        self.ip_id = (self.ip_id + 1) & 0xFFFF
        header = struct.pack("!BBHHHBBH4s4s", 0x45, ecn, 20 + len(payload), self.ip_id,
                             0x4000 if df else 0, ttl, proto, 0, ip_bytes(src), ip_bytes(dst))
        header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
        self.ethernet(src_mac, dst_mac, 0x0800, header + payload)

    def udp(self, src_mac, dst_mac, src, dst, sport, dport, payload, ttl=64):
        length = 8 + len(payload)
        pseudo = ip_bytes(src) + ip_bytes(dst) + struct.pack("!BBH", 0, 17, length)
        header = struct.pack("!HHHH", sport, dport, length, 0)
        csum = checksum(pseudo + header + payload) or 0xFFFF
        header = struct.pack("!HHHH", sport, dport, length, csum)
        self.ipv4(src_mac, dst_mac, src, dst, 17, header + payload, ttl=ttl, df=False)

    def tcp(self, src_mac, dst_mac, src, dst, sport, dport, flags, seq, ack, window, options=b"",
            payload=b"", ttl=64, ecn_ip=0):
        offset = (20 + len(options)) // 4
        header = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, offset << 4, flags, window, 0, 0)
        pseudo = ip_bytes(src) + ip_bytes(dst) + struct.pack("!BBH", 0, 6, len(header) + len(options) + len(payload))
        csum = checksum(pseudo + header + options + payload)
        header = header[:16] + struct.pack("!H", csum) + header[18:]
        self.ipv4(src_mac, dst_mac, src, dst, 6, header + options + payload, ttl=ttl, ecn=ecn_ip)

    def write(self, path):
        out = bytearray(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for ts_us, frame in self.frames:
            sec, usec = divmod(ts_us, 1000000)
            out += struct.pack("<IIII", sec, usec, len(frame), len(frame)) + frame
        path.write_bytes(bytes(out))


# TCP option encodings (RFC 9293 §3.1, RFC 7323, RFC 2018).
def opt_mss(v):
    return struct.pack("!BBH", 2, 4, v)


def opt_ws(v):
    return struct.pack("!BBB", 3, 3, v)


OPT_NOP = b"\x01"
OPT_EOL = b"\x00"
OPT_SACK_OK = b"\x04\x02"


def opt_ts(v):
    return struct.pack("!BBII", 8, 10, v, 0)


def syn_options_apple(ws):
    # XNU: MSS, NOP, WS, NOP, NOP, TS, SACK-permitted, EOL (+ padding to 4 bytes).
    opts = opt_mss(1460) + OPT_NOP + opt_ws(ws) + OPT_NOP + OPT_NOP + opt_ts(0x1234) + OPT_SACK_OK + OPT_EOL
    return opts + b"\0" * (-len(opts) % 4)


def syn_options_linux(ws):
    # Linux: MSS, SACK-permitted, TS, NOP, WS.
    return opt_mss(1460) + OPT_SACK_OK + opt_ts(0x1234) + OPT_NOP + opt_ws(ws)


TCP_SYN, TCP_ACK, TCP_PSH, TCP_ECE, TCP_CWR = 0x02, 0x10, 0x08, 0x40, 0x80


class Device:
    """One client on a LAN behind a router (192.168.1.1, which also serves DHCP and DNS)."""

    ROUTER_MAC = "00:1b:21:3a:4f:10"  # Intel prefix: a small office router/firewall
    ROUTER_IP = "192.168.1.1"

    def __init__(self, cap, mac, ip, syn="linux", ws=7, window=65535, ecn=False, ttl=64):
        self.cap, self.mac, self.ip = cap, mac, ip
        self.syn, self.ws, self.window, self.ecn, self.ttl = syn, ws, window, ecn, ttl
        self.port = 49152
        self.xid = 0x3903F326

    # --- DHCP (RFC 2131, options RFC 2132) ---
    def dhcp(self, msg_type, options, client_ip="0.0.0.0", broadcast=True):
        chaddr = mac_bytes(self.mac) + b"\0" * 10
        body = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, self.xid, 0,
                           0x8000 if broadcast else 0, ip_bytes(client_ip), b"\0" * 4, b"\0" * 4,
                           b"\0" * 4, chaddr, b"", b"")
        body += b"\x63\x82\x53\x63" + bytes([53, 1, msg_type])
        for code, value in options:
            body += bytes([code, len(value)]) + value
        body += b"\xff"
        if len(body) < 300:  # BOOTP's minimum message (RFC 951), which DHCP clients keep
            body += b"\0" * (300 - len(body))
        self.cap.udp(self.mac, "ff:ff:ff:ff:ff:ff", client_ip, "255.255.255.255", 68, 67, body, ttl=255)

    def dhcp_server_reply(self, msg_type, yiaddr):
        chaddr = mac_bytes(self.mac) + b"\0" * 10
        body = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 2, 1, 6, 0, self.xid, 0, 0, b"\0" * 4,
                           ip_bytes(yiaddr), ip_bytes(self.ROUTER_IP), b"\0" * 4, chaddr, b"", b"")
        body += b"\x63\x82\x53\x63" + bytes([53, 1, msg_type])
        body += bytes([54, 4]) + ip_bytes(self.ROUTER_IP) + bytes([51, 4]) + struct.pack("!I", 86400)
        body += bytes([1, 4]) + ip_bytes("255.255.255.0") + bytes([3, 4]) + ip_bytes(self.ROUTER_IP)
        body += bytes([6, 4]) + ip_bytes(self.ROUTER_IP) + b"\xff"
        self.cap.udp(self.ROUTER_MAC, self.mac, self.ROUTER_IP, yiaddr, 67, 68, body)

    def lease(self, discover_options, request_options):
        """DISCOVER, OFFER, REQUEST (with 50/54), ACK."""
        self.dhcp(1, discover_options)
        self.dhcp_server_reply(2, self.ip)
        extra = [(50, ip_bytes(self.ip)), (54, ip_bytes(self.ROUTER_IP))]
        self.dhcp(3, request_options[:1] + extra + request_options[1:])
        self.dhcp_server_reply(5, self.ip)
        self.cap.tick(0.5)

    # --- DNS (RFC 1035) and mDNS (RFC 6762) ---
    @staticmethod
    def qname(name):
        out = b""
        for label in name.split("."):
            out += bytes([len(label.encode())]) + label.encode()
        return out + b"\0"

    def dns_query(self, name, qtype=1):
        self.xid = (self.xid + 1) & 0xFFFFFFFF
        msg = struct.pack("!HHHHHH", self.xid & 0xFFFF, 0x0100, 1, 0, 0, 0) + self.qname(name)
        msg += struct.pack("!HH", qtype, 1)
        self.port += 1
        self.cap.udp(self.mac, self.ROUTER_MAC, self.ip, self.ROUTER_IP, self.port, 53, msg)

    def mdns_query(self, names):
        msg = struct.pack("!HHHHHH", 0, 0, len(names), 0, 0, 0)
        for n in names:
            msg += self.qname(n) + struct.pack("!HH", 12, 1)  # PTR, IN
        self.cap.udp(self.mac, "01:00:5e:00:00:fb", self.ip, "224.0.0.251", 5353, 5353, msg, ttl=255)

    def mdns_announce(self, records):
        """records: (name, type, rdata bytes)."""
        msg = struct.pack("!HHHHHH", 0, 0x8400, 0, len(records), 0, 0)
        for name, rtype, rdata in records:
            msg += self.qname(name) + struct.pack("!HHIH", rtype, 0x8001, 4500, len(rdata)) + rdata
        self.cap.udp(self.mac, "01:00:5e:00:00:fb", self.ip, "224.0.0.251", 5353, 5353, msg, ttl=255)

    # --- TCP connection opening and an HTTP/1.1 request head (RFC 9112) ---
    def http_get(self, server_ip, host, path, user_agent=None, extra_headers=()):
        self.port += 1
        seq = 0x10000000 + self.port * 977
        if self.syn == "apple":
            options = syn_options_apple(self.ws)
        else:
            options = syn_options_linux(self.ws)
        flags = TCP_SYN | ((TCP_ECE | TCP_CWR) if self.ecn else 0)
        self.cap.tcp(self.mac, self.ROUTER_MAC, self.ip, server_ip, self.port, 80, flags, seq, 0,
                     self.window, options, ttl=self.ttl)
        head = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n"
        if user_agent is not None:
            head += f"User-Agent: {user_agent}\r\n"
        for h in extra_headers:
            head += h + "\r\n"
        head += "Accept: */*\r\nConnection: close\r\n\r\n"
        self.cap.tcp(self.mac, self.ROUTER_MAC, self.ip, server_ip, self.port, 80, TCP_ACK | TCP_PSH,
                     seq + 1, 0x5000, self.window >> self.ws if self.ws else self.window,
                     payload=head.encode(), ttl=self.ttl)


def opt(code, value):
    if isinstance(value, str):
        value = value.encode()
    return (code, bytes(value))


def client_id(mac):
    return opt(61, b"\x01" + mac_bytes(mac))


def prl(*codes):
    return opt(55, bytes(codes))


# ---------------------------------------------------------------------------------------------
# The captures
# ---------------------------------------------------------------------------------------------

IOS_SAFARI_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Version/16.5 Mobile/15E148 Safari/604.1")


def ios_private_mac():
    """An iPhone on iOS 16 with 'Private Wi-Fi Address' on (the default since iOS 14), seen on
    two days: Apple rotates the private address, so the second day is a new random MAC.

    - MAC: locally administered, a different one after rotation (support.apple.com/102076,
      'About private Wi-Fi addresses and enterprise networks'; Apple Platform Security,
      'Wi-Fi privacy').
    - DHCP: "When a private Wi-Fi Address is used, the device will use a generic hostname in
      DHCP requests" (support.apple.com/102076): option 12 'iPhone'. Option 55 is iOS's list
      (1,121,3,6,15,119,252 as in ndpi/iphone.pcap) with 108 (RFC 8925, iOS 15+) and 114
      (RFC 8910, iOS 14+); option 61 is 1 + the (private) MAC; option 57 1500.
    - Captive-portal check: GET http://captive.apple.com/hotspot-detect.html with User-Agent
      'CaptiveNetworkSupport-<version> wispr' (Wireless Broadband Alliance captive-behavior,
      iOS section).
    - mDNS: browses _homekit._tcp and _companion-link._tcp (as the iPhone of ndpi/iphone.pcap).
    - DNS: Apple services (mesu.apple.com, gateway.icloud.com), as in ndpi/iphone.pcap.
    - Safari: 'Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) ...' (Apple's Safari UA
      format); TCP SYN with XNU's option order and ECN (on by default since iOS 11).
    Expected: two devices (generic names never link MACs), each iOS, confirmed: the host name
    and the Safari UA each prefer iOS over every other platform on their own.
    """
    cap = Capture()
    for day, (mac, ip) in enumerate([("5e:e3:12:4b:9a:07", "192.168.1.23"),
                                     ("7a:41:c0:0e:5d:91", "192.168.1.57")]):
        d = Device(cap, mac, ip, syn="apple", ws=6, ecn=True)
        common = [prl(1, 121, 3, 6, 15, 108, 114, 119, 252), opt(57, struct.pack("!H", 1500)),
                  client_id(mac), opt(51, struct.pack("!I", 7776000)), opt(12, "iPhone")]
        d.lease(common, common)
        d.mdns_query(["_homekit._tcp.local", "_companion-link._tcp.local"])
        for name in ("captive.apple.com", "mesu.apple.com", "gateway.icloud.com"):
            d.dns_query(name)
        d.http_get("17.253.119.201", "captive.apple.com", "/hotspot-detect.html",
                   "CaptiveNetworkSupport-443.200.4 wispr")
        d.http_get("93.184.216.34", "example.org", "/", IOS_SAFARI_UA)
        cap.tick(86400)
    return cap, {
        "devices": [
            {"mac": "5e:e3:12:4b:9a:07", "platform": "ios", "min_level": "confirmed", "kind": "phone"},
            {"mac": "7a:41:c0:0e:5d:91", "platform": "ios", "min_level": "confirmed", "kind": "phone"},
        ],
        "device_count": 2,
    }


def harmonyos_next():
    """A Huawei Mate 60 Pro (model code ALN-AL10) on HarmonyOS NEXT (5.0), random MAC.

    - DHCP: OpenHarmony's client (communication_dhcp, dhcp_client_state_machine.cpp): option 61
      = 1 + MAC, 57, then AddHostNameToOpts: option 60 = VENDOR_NAME_PREFIX ':' product model
      (commented 'xxxx:openharmony:yyyy') and option 12 = the product model; option 55 =
      AddParamaterRequestList (1,3,6,15,26,28,51,58,59,43,114,108). The prefix constant's value
      is not in the source we read; 'HUAWEI:openharmony' is assumed.
    - Connectivity check: Huawei's hicloud endpoint
      http://connectivitycheck.platform.hicloud.com/generate_204 (the check EMUI/HarmonyOS phones
      without Google services use); the probe's User-Agent is not documented, so none is sent.
    - Browser: ArkWeb's default UA 'Mozilla/5.0 (Phone; OpenHarmony 5.0) AppleWebKit/537.36
      (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36 ArkWeb/4.1.6.1 Mobile'
      (developer.huawei.com/consumer/en/doc/harmonyos-guides/web-default-useragent).
    - TCP: a Linux kernel; Linux option order with a 65535-byte window.
    Expected: harmonyos-next, confirmed (DHCP vendor class and ArkWeb UA), vendor huawei.
    """
    cap = Capture()
    mac = "ae:35:91:c2:07:6b"
    d = Device(cap, mac, "192.168.1.41", syn="linux", ws=9)
    common = [client_id(mac), opt(57, struct.pack("!H", 1500)),
              opt(60, "HUAWEI:openharmony:ALN-AL10"), opt(12, "ALN-AL10"),
              prl(1, 3, 6, 15, 26, 28, 51, 58, 59, 43, 114, 108)]
    d.lease(common, common)
    for name in ("connectivitycheck.platform.hicloud.com", "grs.dbankcloud.com"):
        d.dns_query(name)
    d.http_get("121.36.32.10", "connectivitycheck.platform.hicloud.com", "/generate_204")
    d.http_get("93.184.216.34", "example.org", "/",
               "Mozilla/5.0 (Phone; OpenHarmony 5.0) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/114.0.0.0 Safari/537.36 ArkWeb/4.1.6.1 Mobile")
    return cap, {"devices": [{"mac": mac, "platform": "harmonyos-next", "min_level": "confirmed",
                              "kind": "phone", "vendor": "huawei"}], "device_count": 1}


def connman_lease(d, hostname):
    """ConnMan's DHCP: src/dhcp.c asks for 12,6,15,42,252,1,3 and gdhcp prepends each request
    to its list (g_dhcp_client_set_request uses g_list_prepend), so option 55 is 3,1,252,42,15,6,12;
    g_dhcp_client_set_id adds option 61 = 1 + MAC; the utsname host name goes in option 12."""
    common = [client_id(d.mac), prl(3, 1, 252, 42, 15, 6, 12)]
    if hostname:
        common.append(opt(12, hostname))
    d.lease(common, common)


def sailfish():
    """Sailfish OS 4.5 on a Sony Xperia 10 III (Sailfish X): a Sony Mobile MAC, as an Android
    phone would have.

    - DHCP: ConnMan (connman_lease), host name 'Sailfish' (the OS image's default).
    - Online check: ConnMan's Ipv4StatusUrl on Sailfish OS is http://ipv4.jolla.com/return_204
      ('connmanctl state'), fetched with ConnMan's 'ConnMan/<version> wispr' User-Agent
      (src/wispr.c g_web_set_user_agent).
    - Browser: Sailfish Browser 'Mozilla/5.0 (Linux; U; Sailfish 4.5; Mobile; rv:91.0)
      Gecko/91.0 Firefox/91.0 SailfishBrowser/1.0' (the format of uap-core's Sailfish case).
    - DNS: Jolla store and account hosts (*.jolla.com).
    Expected: sailfish, confirmed, despite the Android maker's MAC prefix.
    """
    cap = Capture()
    mac = "d8:d4:3c:61:2a:e5"  # Sony Mobile Communications prefix
    d = Device(cap, mac, "192.168.1.62", syn="linux", ws=7)
    connman_lease(d, "Sailfish")
    for name in ("ipv4.jolla.com", "store-repository.jolla.com"):
        d.dns_query(name)
    d.http_get("54.154.20.56", "ipv4.jolla.com", "/return_204", "ConnMan/1.32 wispr")
    d.http_get("93.184.216.34", "example.org", "/",
               "Mozilla/5.0 (Linux; U; Sailfish 4.5; Mobile; rv:91.0) Gecko/91.0 Firefox/91.0 "
               "SailfishBrowser/1.0")
    return cap, {"devices": [{"mac": mac, "platform": "sailfish", "min_level": "confirmed",
                              "kind": "phone"}], "device_count": 1}


def aurora():
    """Aurora OS 4.0 (Open Mobile Platform, a Sailfish OS descendant) on a random MAC.

    - DHCP: ConnMan, as on Sailfish (Aurora keeps ConnMan). No host name is assumed.
    - Online check: Aurora's override of ConnMan's status URL is not public; upstream
      ConnMan's default http://ipv4.connman.net/online/status.html is assumed, with ConnMan's
      'ConnMan/<version> wispr' User-Agent.
    - Browser: Aurora's Gecko browser descends from Sailfish Browser; its UA is assumed to have
      the same shape with the OS token 'Aurora 4.0.2'.
    - DNS: Open Mobile Platform's domain (update and store hosts under omprussia.ru assumed).
    Expected: aurora, at least likely.
    """
    cap = Capture()
    mac = "f2:6c:88:19:3e:40"
    d = Device(cap, mac, "192.168.1.74", syn="linux", ws=7)
    connman_lease(d, None)
    for name in ("ipv4.connman.net", "update.omprussia.ru"):
        d.dns_query(name)
    d.http_get("87.98.159.188", "ipv4.connman.net", "/online/status.html", "ConnMan/1.32 wispr")
    d.http_get("93.184.216.34", "example.org", "/",
               "Mozilla/5.0 (Linux; Aurora 4.0.2; Mobile; rv:78.0) Gecko/78.0 Firefox/78.0")
    return cap, {"devices": [{"mac": mac, "platform": "aurora", "min_level": "likely",
                              "kind": "phone"}], "device_count": 1}


def kaios():
    """A Nokia 8110 4G on KaiOS 2.5 (HMD Global MAC prefix).

    - DHCP: KaiOS runs on Gonk, AOSP's lower layers; the dhcpcd 5.5.6 configuration of AOSP
      (vendor class 'dhcpcd-5.5.6', option 55 1,33,3,6,15,26,28,51,58,59, as the Android 5.1
      phone of ndpi/alexa-app.pcapng) is assumed.
    - Captive-portal check: Gecko's captive-portal detector (captivedetect.canonicalURL,
      http://detectportal.firefox.com/success.txt), sending the browser's UA.
    - User-Agent: 'Mozilla/5.0 (Mobile; Nokia_8110_4G; rv:48.0) Gecko/48.0 Firefox/48.0
      KAIOS/2.5' (KaiOS developer portal; uap-core's KaiOS cases).
    - DNS: KaiOS services under kaiostech.com (store, push, accounts).
    Expected: kaios, at least likely (the UA and KaiOS services say KaiOS; the DHCP client,
    AOSP's, says Android as much as KaiOS).
    """
    cap = Capture()
    mac = "4c:6a:f6:1d:44:80"  # HMD Global prefix
    d = Device(cap, mac, "192.168.1.88", syn="linux", ws=7)
    common = [client_id(mac), opt(57, struct.pack("!H", 1500)), opt(60, "dhcpcd-5.5.6"),
              prl(1, 33, 3, 6, 15, 26, 28, 51, 58, 59)]
    d.lease(common, common)
    for name in ("detectportal.firefox.com", "api.kaiostech.com", "push.kaiostech.com"):
        d.dns_query(name)
    ua = "Mozilla/5.0 (Mobile; Nokia_8110_4G; rv:48.0) Gecko/48.0 Firefox/48.0 KAIOS/2.5"
    d.http_get("34.107.221.82", "detectportal.firefox.com", "/success.txt", ua)
    d.http_get("93.184.216.34", "example.org", "/", ua)
    return cap, {"devices": [{"mac": mac, "platform": "kaios", "min_level": "likely",
                              "kind": "phone"}], "device_count": 1}


def linux_spoofed_iphone_ua():
    """A Debian desktop (Intel NIC) whose Firefox sends an iPhone User-Agent (a UA switcher).

    - DHCP: ISC dhclient with Debian's /etc/dhcp/dhclient.conf request line (option 55
      1,28,2,3,15,6,119,12,44,47,26,121,42), host name 'ws-finance-07'.
    - Connectivity check: NetworkManager with Debian's URI http://network-test.debian.org/nm
      (NetworkManager.conf [connectivity]); no User-Agent header assumed.
    - TCP: Linux (MSS, SACK, TS, NOP, WS 7; window 64240 = 44 x MSS 1460).
    - DNS: Debian's NTP pool and mirror.
    - Firefox with the spoofed UA 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) ...'.
    Expected: linux (at least likely) and never iOS: the UA is one group against many.
    """
    cap = Capture()
    mac = "3c:a9:f4:52:1e:07"  # Intel prefix
    d = Device(cap, mac, "192.168.1.95", syn="linux", ws=7, window=64240)
    common = [opt(12, "ws-finance-07"), prl(1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42)]
    d.lease(common, common)
    for name in ("0.debian.pool.ntp.org", "deb.debian.org", "network-test.debian.org"):
        d.dns_query(name)
    d.http_get("151.101.2.132", "network-test.debian.org", "/nm")
    spoofed = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
               "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")
    for host in ("example.org", "intranet.example.gov", "news.example.com"):
        d.http_get("93.184.216.34", host, "/", spoofed)
    return cap, {"devices": [{"mac": mac, "platform": "linux", "min_level": "likely",
                              "never": ["ios"]}], "device_count": 1}


def ipad_desktop_safari():
    """An iPad on iPadOS 16 with a private address: Safari sends the Mac User-Agent
    ('desktop-class browsing', the iPadOS default since 13).

    - DHCP: as iOS (same client; option 55 with 108 and 114), generic host name 'iPad'
      (support.apple.com/102076).
    - Captive check and TCP as iOS.
    - Safari: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML,
      like Gecko) Version/16.5 Safari/605.1.15'.
    Expected: ipados, at least likely; never iOS, never macOS.
    """
    cap = Capture()
    mac = "96:2f:0d:a5:71:3c"
    d = Device(cap, mac, "192.168.1.104", syn="apple", ws=6, ecn=True)
    common = [prl(1, 121, 3, 6, 15, 108, 114, 119, 252), opt(57, struct.pack("!H", 1500)),
              client_id(mac), opt(51, struct.pack("!I", 7776000)), opt(12, "iPad")]
    d.lease(common, common)
    d.dns_query("captive.apple.com")
    d.http_get("17.253.119.201", "captive.apple.com", "/hotspot-detect.html",
               "CaptiveNetworkSupport-443.200.4 wispr")
    d.http_get("93.184.216.34", "example.org", "/",
               "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
               "Gecko) Version/16.5 Safari/605.1.15")
    return cap, {"devices": [{"mac": mac, "platform": "ipados", "min_level": "likely",
                              "kind": "tablet", "never": ["ios", "macos"]}], "device_count": 1}


def macbook_iphone_ua():
    """A MacBook Pro whose Safari sends an iPhone User-Agent (Develop > User Agent).

    - DHCP: macOS's option 55 (iOS's list plus 95, 44, 46, as the iMac of ndpi/iphone.pcap)
      with 108 and 114, host name 'Johns-MacBook-Pro'.
    - mDNS: macOS announces _device-info._tcp with model=<identifier> and osxvers=<Darwin
      major> (ndpi/iphone.pcap, ndpi/anyconnect-vpn.pcap).
    - Apple MAC prefix; XNU TCP SYN with ECN.
    Expected: macos, confirmed; never iOS.
    """
    cap = Capture()
    mac = "f0:18:98:3b:77:e2"  # Apple prefix
    d = Device(cap, mac, "192.168.1.110", syn="apple", ws=6, ecn=True)
    common = [prl(1, 121, 3, 6, 15, 108, 114, 119, 252, 95, 44, 46),
              opt(57, struct.pack("!H", 1500)), client_id(mac), opt(12, "Johns-MacBook-Pro")]
    d.lease(common, common)
    instance = "John’s MacBook Pro._device-info._tcp.local"
    txt = b"".join(bytes([len(s)]) + s for s in (b"model=MacBookPro18,1", b"osxvers=22"))
    d.mdns_announce([
        ("_device-info._tcp.local", 12, Device.qname(instance)),
        (instance, 16, txt),
        ("Johns-MacBook-Pro.local", 1, ip_bytes(d.ip)),
    ])
    d.http_get("93.184.216.34", "example.org", "/", IOS_SAFARI_UA)
    return cap, {"devices": [{"mac": mac, "platform": "macos", "min_level": "confirmed",
                              "kind": "laptop", "never": ["ios"]}], "device_count": 1}


CAPTURES = {
    "ios_private_mac.pcap": ios_private_mac,
    "harmonyos_next.pcap": harmonyos_next,
    "sailfish.pcap": sailfish,
    "aurora.pcap": aurora,
    "kaios.pcap": kaios,
    "linux_spoofed_iphone_ua.pcap": linux_spoofed_iphone_ua,
    "ipad_desktop_safari.pcap": ipad_desktop_safari,
    "macbook_iphone_ua.pcap": macbook_iphone_ua,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(pathlib.Path(__file__).resolve().parent))
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    expected = {}
    for name, build in CAPTURES.items():
        cap, want = build()
        cap.write(out / name)
        expected[name] = want
    (out / "expected.json").write_text(json.dumps(expected, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
