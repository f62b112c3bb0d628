/** The firewalls `infernet firewall` knows, in the order they are printed. */
export const FIREWALL_TOOLS = ['ufw', 'firewalld', 'nftables', 'iptables', 'pf', 'netsh'] as const;
export type FirewallTool = (typeof FIREWALL_TOOLS)[number];

export interface FirewallRule {
  tool: FirewallTool;
  /** Where the commands apply, for the heading. */
  platform: string;
  commands: string[];
  note?: string;
}

/**
 * The commands that open the P2P port (TCP, IPv4 and IPv6) on each firewall.
 * Printed for the operator to run: Infernet never changes firewall state,
 * and nodes that only take routed jobs need no inbound port at all.
 */
export function firewallRules(port: number): FirewallRule[] {
  return [
    {
      tool: 'ufw',
      platform: 'Ubuntu / Debian (ufw)',
      commands: [`sudo ufw allow ${port}/tcp comment 'infernet p2p'`],
    },
    {
      tool: 'firewalld',
      platform: 'Fedora / RHEL (firewalld)',
      commands: [
        `sudo firewall-cmd --permanent --add-port=${port}/tcp`,
        'sudo firewall-cmd --reload',
      ],
    },
    {
      tool: 'nftables',
      platform: 'Linux (nftables; the inet family covers IPv4 and IPv6)',
      commands: [`sudo nft add rule inet filter input tcp dport ${port} accept`],
      note: 'Add the rule to /etc/nftables.conf as well to keep it after a reboot.',
    },
    {
      tool: 'iptables',
      platform: 'Linux (iptables)',
      commands: [
        `sudo iptables -A INPUT -p tcp --dport ${port} -j ACCEPT`,
        `sudo ip6tables -A INPUT -p tcp --dport ${port} -j ACCEPT`,
      ],
      note: 'Save them with your distribution’s iptables-persistent or netfilter-persistent.',
    },
    {
      tool: 'pf',
      platform: 'macOS (pf)',
      commands: [
        `echo 'pass in proto tcp from any to any port ${port}' | sudo tee -a /etc/pf.conf`,
        'sudo pfctl -f /etc/pf.conf',
        'sudo pfctl -e',
      ],
    },
    {
      tool: 'netsh',
      platform: 'Windows host of a WSL2 node (PowerShell as administrator)',
      commands: [
        `netsh advfirewall firewall add rule name="infernet p2p" dir=in action=allow protocol=TCP localport=${port}`,
        `netsh interface portproxy add v4tov4 listenport=${port} listenaddress=0.0.0.0 connectport=${port} connectaddress=$((wsl hostname -I).Trim().Split(' ')[0])`,
      ],
      note: 'The portproxy forwards the port into WSL2; its address changes when WSL restarts.',
    },
  ];
}
