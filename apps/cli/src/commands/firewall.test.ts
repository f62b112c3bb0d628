import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FIREWALL_TOOLS } from '../firewall-rules';
import { baseEnvironment, makeHome, runInfernet } from '../testing/run-infernet';

let home: string;
let cleanup: () => void;
beforeEach(() => {
  ({ home, cleanup } = makeHome());
});
afterEach(() => cleanup());

describe('infernet firewall', () => {
  it('prints the commands for every firewall on the default P2P port', async () => {
    const result = await runInfernet(['firewall'], baseEnvironment(home));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('never changes firewall state');
    expect(result.stdout).toContain("sudo ufw allow 46337/tcp comment 'infernet p2p'");
    expect(result.stdout).toContain('sudo firewall-cmd --permanent --add-port=46337/tcp');
    expect(result.stdout).toContain('sudo nft add rule inet filter input tcp dport 46337 accept');
    expect(result.stdout).toContain('sudo ip6tables -A INPUT -p tcp --dport 46337 -j ACCEPT');
    expect(result.stdout).toContain('pass in proto tcp from any to any port 46337');
    expect(result.stdout).toContain('netsh interface portproxy add v4tov4 listenport=46337');
  });

  it('opens the port the node is configured to listen on', async () => {
    const result = await runInfernet(['firewall', 'ufw', '--json'], {
      ...baseEnvironment(home),
      INFERNET_P2P_PORT: '40001',
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      port: 40001,
      rules: [{ commands: ["sudo ufw allow 40001/tcp comment 'infernet p2p'"] }],
    });
  });

  it('narrows to one firewall, takes --p2p-port, and prints JSON for scripts', async () => {
    const result = await runInfernet(
      ['firewall', 'ufw', '--p2p-port', '40000', '--json'],
      baseEnvironment(home),
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      port: 40000,
      protocol: 'tcp',
      rules: [
        {
          tool: 'ufw',
          platform: 'Ubuntu / Debian (ufw)',
          commands: ["sudo ufw allow 40000/tcp comment 'infernet p2p'"],
        },
      ],
    });
  });

  it('refuses an unknown firewall or port with a usage error that says what to use', async () => {
    const unknown = await runInfernet(['firewall', 'windows-defender'], baseEnvironment(home));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(FIREWALL_TOOLS.join(', '));
    const badPort = await runInfernet(['firewall', '--p2p-port', '70000'], baseEnvironment(home));
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('1 to 65535');
  });
});
