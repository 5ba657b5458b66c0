/**
 * A button that asks before it acts (an accessible modal dialog, not window.confirm, so the
 * page keeps its look and end-to-end tests drive it like any other dialog).
 */
import type { ReactNode } from 'react';
import { Button, Dialog, DialogTrigger, Heading, Modal, ModalOverlay } from 'react-aria-components';

/** `label` opens a dialog asking `question`; `confirm` (the confirming button's name) acts. */
export function ConfirmButton(props: {
  label: string;
  question: string;
  confirm: string;
  disabled?: boolean;
  className?: string;
  testId?: string;
  onConfirm: () => void;
}): ReactNode {
  return (
    <DialogTrigger>
      <Button
        className={props.className ?? 'button'}
        isDisabled={props.disabled === true}
        data-testid={props.testId}
      >
        {props.label}
      </Button>
      <ModalOverlay className="modal-overlay" isDismissable>
        <Modal className="modal">
          <Dialog className="dialog" role="alertdialog">
            {({ close }) => (
              <>
                <Heading slot="title">{props.question}</Heading>
                <div className="dialog-buttons">
                  <Button className="button" onPress={close} autoFocus>
                    Cancel
                  </Button>
                  <Button
                    className="button danger"
                    onPress={() => {
                      close();
                      props.onConfirm();
                    }}
                  >
                    {props.confirm}
                  </Button>
                </div>
              </>
            )}
          </Dialog>
        </Modal>
      </ModalOverlay>
    </DialogTrigger>
  );
}
