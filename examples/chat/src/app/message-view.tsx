import { isToolUIPart, type UIMessage } from 'ai';

interface MessageViewProps {
  readonly message: UIMessage;
  /** Answers a tool approval request (its id is the Keel wait's). */
  readonly onApproval: (approvalId: string, approved: boolean) => void;
}

/** A message: its text, and a line per tool call with its state (and Approve / Deny when it waits for the reader). */
export function MessageView({ message, onApproval }: MessageViewProps) {
  return (
    <li className={`message ${message.role}`} data-role={message.role}>
      {message.parts.map((part, index) => {
        if (part.type === 'text')
          return (
            <p key={index} className="text">
              {part.text}
            </p>
          );
        if (!isToolUIPart(part)) return null;
        const name = part.type.replace(/^tool-/, '');
        const input = JSON.stringify(part.input ?? {});
        return (
          <div key={index} className="tool" data-tool={name} data-state={part.state}>
            <span className="tool-name">{name}</span> <span className="tool-input">{input}</span>{' '}
            <span className="tool-state">{toolStateLabel[part.state] ?? part.state}</span>
            {part.state === 'approval-requested' && (
              <span className="approval">
                <button type="button" onClick={() => onApproval(part.approval.id, true)}>
                  Approve
                </button>
                <button type="button" onClick={() => onApproval(part.approval.id, false)}>
                  Deny
                </button>
              </span>
            )}
          </div>
        );
      })}
    </li>
  );
}

const toolStateLabel: Readonly<Record<string, string>> = {
  'input-streaming': '…',
  'input-available': 'running…',
  'approval-requested': 'needs your approval',
  'approval-responded': 'answered',
  'output-available': 'done',
  'output-error': 'failed',
  'output-denied': 'denied',
};
